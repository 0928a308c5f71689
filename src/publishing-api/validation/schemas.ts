/**
 * The content schemas: one JSON Schema (draft-07) per schema_name in
 * `schemas/<schema_name>.json`, sharing `schemas/shared/*.json`. They are read
 * and compiled once, when the Publishing API starts, so a broken schema stops
 * the start rather than failing a publisher's request later.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import AjvModule, { type ValidateFunction } from 'ajv';
import type { FieldErrors } from './field-errors.ts';
import { assertCollapsible, describeErrors } from './messages.ts';

export type { FieldErrors } from './field-errors.ts';

export interface SchemaRegistry {
  /** Every schema_name, sorted. */
  names(): string[];
  has(name: string): boolean;
  /** The schema as written (frozen); `$ref`s point into `shared/definitions.json`. Throws for an unknown name. */
  get(name: string): object;
  /** The document types a schema accepts (its `document_type` enum). Throws for an unknown name. */
  documentTypes(name: string): readonly string[];
  /**
   * Checks a PUT content body (without `content_id`, which travels in the URL)
   * against one schema: null when valid. An unknown schema is not thrown but
   * reported as `{ schema_name: ['is not a known schema: x'] }`, the same
   * 422 the caller gives for any other bad field.
   */
  validate(schemaName: string, payload: unknown): FieldErrors | null;
}

export const DEFAULT_SCHEMA_DIR = fileURLToPath(new URL('../../../schemas/', import.meta.url));

// ajv is CommonJS; under NodeNext its class is the default export's `default`.
const Ajv = AjvModule.default;

interface Loaded {
  schema: Record<string, unknown>;
  validate: ValidateFunction;
  documentTypes: readonly string[];
}

function readJson(path: string): Record<string, unknown> {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  } catch (err) {
    throw new Error(`${path}: ${(err as Error).message}`);
  }
}

function jsonFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.json'))
    .map((entry) => entry.name)
    .sort();
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

/** Reads and compiles every schema under `dir` (default: the repo's `schemas/`). Throws on any broken schema. */
export function loadSchemas(dir: string = DEFAULT_SCHEMA_DIR): SchemaRegistry {
  const ajv = new Ajv({
    allErrors: true, // an editor fixes every problem in one round trip
    verbose: true, // errors carry parentSchema, where x-message and anyOf branches live
    strict: true,
    strictRequired: true, // a required name missing from properties is a typo
    allowUnionTypes: true, // ["string", "null"]
  });
  ajv.addKeyword({ keyword: 'x-message', schemaType: 'string' });

  const sharedDir = join(dir, 'shared');
  for (const file of jsonFiles(sharedDir)) {
    const schema = readJson(join(sharedDir, file));
    assertCollapsible(schema, `shared/${file}`);
    ajv.addSchema(schema);
  }

  const loaded = new Map<string, Loaded>();
  const knownTopLevelFields = new Set<string>();
  for (const file of jsonFiles(dir)) {
    const name = file.slice(0, -'.json'.length);
    const schema = readJson(join(dir, file));
    assertCollapsible(schema, file);
    const properties = (schema['properties'] ?? {}) as Record<string, Record<string, unknown>>;
    // The file name is the schema_name; a schema that disagreed would accept payloads filed under another name.
    if (schema['$id'] !== file || properties['schema_name']?.['const'] !== name) {
      throw new Error(`${file}: $id must be "${file}" and properties.schema_name must be {"const": "${name}"}`);
    }
    const documentTypes = properties['document_type']?.['enum'];
    if (!Array.isArray(documentTypes) || documentTypes.length === 0) {
      throw new Error(`${file}: properties.document_type must have an enum of document types`);
    }
    let validate: ValidateFunction;
    try {
      validate = ajv.compile(schema);
    } catch (err) {
      throw new Error(`${file}: ${(err as Error).message}`);
    }
    for (const field of Object.keys(properties)) knownTopLevelFields.add(field);
    loaded.set(name, { schema, validate, documentTypes: documentTypes.map(String) });
  }
  // Frozen so a caller serving GET /v2/schemas cannot change what validation sees.
  for (const entry of loaded.values()) deepFreeze([entry.schema, entry.documentTypes]);

  const find = (name: string): Loaded => {
    const entry = loaded.get(name);
    if (!entry) throw new Error(`unknown schema: ${name}`);
    return entry;
  };

  return {
    names: () => [...loaded.keys()],
    has: (name) => loaded.has(name),
    get: (name) => find(name).schema,
    documentTypes: (name) => find(name).documentTypes,
    validate(schemaName, payload) {
      const entry = loaded.get(schemaName);
      if (!entry) return { schema_name: [`is not a known schema: ${schemaName}`] };
      if (entry.validate(payload)) return null;
      return describeErrors(entry.validate.errors ?? [], { schemaName, knownTopLevelFields });
    },
  };
}
