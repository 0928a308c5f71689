import { Ajv, type ErrorObject } from 'ajv';
import { incomingPathErrors, validateRoute } from '../router/routes.ts';
import type { ContentStorePayload } from './content-item.ts';
import { canonicalPath } from './path.ts';
import { registerRoutes, type Registration } from './route-registration.ts';

/** Problems by field, as the error body's `fields` carries them. */
export type FieldErrors = Record<string, string[]>;

const NAME = { type: 'string', minLength: 1 };
const OPTIONAL_TEXT = { type: ['string', 'null'] };
// Timestamps stay as the Publishing API wrote them; this only keeps out what is not ISO 8601.
const TIMESTAMP = { type: ['string', 'null'], pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}(:\\d{2}(\\.\\d+)?)?(Z|[+-]\\d{2}:?\\d{2})$' };
const ROUTE_TYPE = { enum: ['exact', 'prefix'] };
const CONTENT_TYPE_ENTRY = {
  type: 'object',
  required: ['content_type', 'content'],
  properties: { content_type: NAME, content: { type: 'string' } },
};

const PAYLOAD_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  // details, routes, redirects and expanded_links default to empty: the
  // reference's redirect and gone payloads leave some of them out.
  required: ['content_id', 'locale', 'document_type', 'schema_name', 'publishing_app', 'payload_version'],
  properties: {
    // The URL names the item; the body's copy is accepted and ignored.
    base_path: { type: 'string' },
    content_id: NAME,
    locale: NAME,
    document_type: NAME,
    schema_name: NAME,
    publishing_app: NAME,
    rendering_app: { type: ['string', 'null'], pattern: '^[a-z0-9][a-z0-9-]*$' },
    title: OPTIONAL_TEXT,
    description: { type: ['string', 'null', 'array'], items: CONTENT_TYPE_ENTRY },
    phase: OPTIONAL_TEXT,
    analytics_identifier: OPTIONAL_TEXT,
    details: { type: 'object', default: {} },
    routes: {
      type: 'array',
      default: [],
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['path', 'type'],
        properties: { path: NAME, type: ROUTE_TYPE },
      },
    },
    redirects: {
      type: 'array',
      default: [],
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['path', 'type', 'destination'],
        properties: {
          path: NAME,
          type: ROUTE_TYPE,
          destination: NAME,
          segments_mode: { enum: ['preserve', 'ignore'] },
          redirect_type: { enum: ['permanent', 'temporary'] },
        },
      },
    },
    expanded_links: { type: 'object', default: {} },
    first_published_at: TIMESTAMP,
    public_updated_at: TIMESTAMP,
    withdrawn_notice: {
      type: ['object', 'null'],
      additionalProperties: false,
      required: ['explanation', 'withdrawn_at'],
      properties: { explanation: { type: 'string' }, withdrawn_at: { ...TIMESTAMP, type: 'string' } },
    },
    publishing_request_id: OPTIONAL_TEXT,
    auth_bypass_ids: { type: 'array', items: NAME },
    payload_version: { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER },
  },
};

// useDefaults fills the absent fields above into the body itself.
const ajv = new Ajv({ allErrors: true, allowUnionTypes: true, useDefaults: true });
const checkPayload = ajv.compile<ContentStorePayload>(PAYLOAD_SCHEMA);

/** `/routes/0/path` -> `routes[0].path`. */
function fieldName(pointer: string, child?: string): string {
  const parts = pointer.split('/').slice(1).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (child !== undefined) parts.push(child);
  let name = '';
  for (const p of parts) name += /^\d+$/.test(p) ? `[${p}]` : name ? `.${p}` : p;
  return name || '(body)';
}

function describe(e: ErrorObject): string {
  switch (e.keyword) {
    case 'required':
      return 'is required';
    case 'additionalProperties':
      return 'is not a known field';
    case 'type':
      return `must be ${String(e.params.type).split(',').join(' or ')}`;
    case 'enum':
      return `must be one of ${(e.params.allowedValues as string[]).join(', ')}`;
    case 'pattern':
      return e.params.pattern === TIMESTAMP.pattern ? 'must be an ISO 8601 date-time' : 'must be lower-case letters, digits and -';
    case 'minLength':
      return 'must not be empty';
    default:
      return e.message ?? 'is invalid';
  }
}

function add(fields: FieldErrors, field: string, message: string): void {
  const list = (fields[field] ??= []);
  if (!list.includes(message)) list.push(message);
}

function schemaErrors(errors: ErrorObject[]): FieldErrors {
  const fields: FieldErrors = {};
  for (const e of errors) {
    const child =
      e.keyword === 'required' ? String(e.params.missingProperty)
      : e.keyword === 'additionalProperties' ? String(e.params.additionalProperty)
      : undefined;
    add(fields, fieldName(e.instancePath, child), describe(e));
  }
  return fields;
}

/** Which payload field a problem with a route row's column came from. */
function sourceField(source: string, column: string): string {
  if (column === 'backend_id') return 'rendering_app';
  if (source === 'base_path') return 'base_path';
  if (column === 'redirect_to') return `${source}.destination`;
  if (column === 'incoming_path') return `${source}.path`;
  return source;
}

export type CheckedPayload =
  | { ok: true; payload: ContentStorePayload; registration: Registration }
  | { ok: false; fields: FieldErrors };

/**
 * Validates a PUT body for `basePath` (already canonical) and returns it with
 * the URL's base_path and canonical route paths, plus the routes it registers.
 * Each route row is also put through the router's own checks, so the store
 * never accepts a row the router would skip.
 */
export function checkContentPayload(body: unknown, basePath: string): CheckedPayload {
  if (!checkPayload(body)) return { ok: false, fields: schemaErrors(checkPayload.errors ?? []) };
  const fields: FieldErrors = {};
  const canonical = <T extends { path: string }>(list: T[], name: string): T[] =>
    list.map((entry, i) => {
      const problems = incomingPathErrors(entry.path);
      const path = problems.length ? undefined : canonicalPath(entry.path);
      // canonicalPath also refuses dot segments written as escapes (%2e%2e).
      if (!problems.length && path === undefined) problems.push('must not contain . or .. segments');
      for (const p of problems) add(fields, `${name}[${i}].path`, p);
      return path === undefined ? entry : { ...entry, path };
    });
  const payload: ContentStorePayload = {
    ...body,
    base_path: basePath,
    routes: canonical(body.routes, 'routes'),
    redirects: canonical(body.redirects, 'redirects'),
  };
  if (Object.keys(fields).length) return { ok: false, fields };

  const registration = registerRoutes(payload);
  const seen = new Map<string, string>();
  for (const { record, source } of registration.routes) {
    for (const e of validateRoute(record).errors) add(fields, sourceField(source, e.field), e.message);
    const key = `${record.route_type} ${record.incoming_path}`;
    const first = seen.get(key);
    if (first) add(fields, `${source}.path`, `duplicates the ${record.route_type} path of ${first}`);
    else seen.set(key, source);
  }
  return Object.keys(fields).length ? { ok: false, fields } : { ok: true, payload, registration };
}
