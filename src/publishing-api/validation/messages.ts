/**
 * Turns ajv's errors into FieldErrors an editor can act on: one field, one
 * plain-English reason. ajv reports every branch of an anyOf that failed, so
 * `details.body: 5` would otherwise come back as "must be string", "must be
 * array", "must match a schema in anyOf"; here it becomes "must be a string or
 * an array".
 */
import type { ErrorObject } from 'ajv';
import { addFieldError, fieldName, pointerParts, type FieldErrors } from './field-errors.ts';

export interface DescribeContext {
  schemaName: string;
  /** Top-level fields some schema accepts: sent to a schema that forbids them, they are "not allowed for schema x". */
  knownTopLevelFields: ReadonlySet<string>;
}

export function describeErrors(errors: readonly ErrorObject[], context: DescribeContext): FieldErrors {
  const out: FieldErrors = {};
  for (const error of collapseComposites(dropSearchNoise(errors))) {
    const { parts, message } = describe(error, context);
    addFieldError(out, fieldName(parts), message);
  }
  return out;
}

/** True when `pointer` is `base` or lies below it. */
function within(pointer: string, base: string): boolean {
  return pointer === base || pointer.startsWith(base + '/');
}

/**
 * A failed `contains` reports every item that did not match, though none of
 * them is wrong on its own; `if` reports that `then` failed, whose own errors
 * are already listed. Both are noise.
 */
function dropSearchNoise(errors: readonly ErrorObject[]): ErrorObject[] {
  const containers = errors.filter((e) => e.keyword === 'contains');
  return errors.filter(
    (e) =>
      e.keyword !== 'if' &&
      !containers.some((c) => within(e.instancePath, c.instancePath) && e.schemaPath.startsWith(c.schemaPath + '/')),
  );
}

/**
 * ajv checks a value in one go and lists the errors of every anyOf branch just
 * before the anyOf's own error, so those branch errors are the run of errors
 * about that value (or inside it) immediately before it. This holds because a
 * schema with anyOf has no sibling keywords (`assertCollapsible`), and it is
 * why schemaPath is not used: inside a $ref it restarts from the referenced
 * schema. Then:
 * - every branch refused the value's type: say which types would do;
 * - otherwise drop the type refusals and keep what the fitting branch said.
 */
function collapseComposites(errors: readonly ErrorObject[]): ErrorObject[] {
  const out: ErrorObject[] = [];
  for (const error of errors) {
    if (error.keyword !== 'anyOf' && error.keyword !== 'oneOf') {
      out.push(error);
      continue;
    }
    let start = out.length;
    while (start > 0 && within(out[start - 1]!.instancePath, error.instancePath)) start--;
    const branchErrors = out.splice(start);
    if (branchErrors.length === 0) {
      out.push(error); // oneOf matched more than one branch
      continue;
    }
    const branches = (error.parentSchema as Record<string, unknown[]> | undefined)?.[error.keyword]?.length ?? 0;
    const refusals = branchErrors.filter((e) => e.keyword === 'type' && e.instancePath === error.instancePath);
    if (refusals.length >= branches) {
      const types = [...new Set(refusals.flatMap((e) => typeList(e.params['type'])))];
      out.push({ ...error, keyword: 'type', params: { type: types } });
    } else {
      out.push(...branchErrors.filter((e) => !refusals.includes(e)));
    }
  }
  return out;
}

const COLLAPSIBLE_NEIGHBOURS = new Set(['anyOf', 'oneOf', 'description', '$comment', 'title', 'x-message', 'default', 'examples']);

/** Throws if a schema puts anyOf or oneOf beside other checks, which collapseComposites cannot untangle. */
export function assertCollapsible(schema: unknown, where: string): void {
  if (Array.isArray(schema)) {
    schema.forEach((item, i) => assertCollapsible(item, `${where}/${i}`));
    return;
  }
  if (typeof schema !== 'object' || schema === null) return;
  const keys = Object.keys(schema);
  if (keys.includes('anyOf') || keys.includes('oneOf')) {
    const extra = keys.filter((k) => !COLLAPSIBLE_NEIGHBOURS.has(k));
    if (extra.length > 0) {
      throw new Error(`${where}: anyOf/oneOf must stand alone; move ${extra.join(', ')} into each branch`);
    }
  }
  for (const [key, value] of Object.entries(schema)) {
    // Names under properties are field names, not keywords, but their values are schemas: walk everything.
    assertCollapsible(value, `${where}/${key}`);
  }
}

function typeList(type: unknown): string[] {
  if (Array.isArray(type)) return type.map(String);
  return typeof type === 'string' ? type.split(',') : [];
}

const TYPE_NAMES: Record<string, string> = {
  string: 'a string',
  integer: 'an integer',
  number: 'a number',
  boolean: 'true or false',
  object: 'an object',
  array: 'an array',
  null: 'null',
};

function orList(items: string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}`;
}

function show(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function describe(error: ErrorObject, context: DescribeContext): { parts: (string | number)[]; message: string } {
  const parts = pointerParts(error.instancePath);
  const params = error.params as Record<string, unknown>;
  const annotated = (error.parentSchema as Record<string, unknown> | undefined)?.['x-message'];
  switch (error.keyword) {
    case 'required':
      return { parts: [...parts, String(params['missingProperty'])], message: 'is required' };
    case 'additionalProperties': {
      const field = String(params['additionalProperty']);
      const forbiddenHere = parts.length === 0 && context.knownTopLevelFields.has(field);
      return {
        parts: [...parts, field],
        message: forbiddenHere ? `is not allowed for schema ${context.schemaName}` : 'is not allowed',
      };
    }
    case 'type':
      return { parts, message: `must be ${orList(typeList(params['type']).map((t) => TYPE_NAMES[t] ?? t))}` };
    case 'enum': {
      const allowed = (params['allowedValues'] as unknown[]).map(show);
      return { parts, message: allowed.length === 1 ? `must be ${allowed[0]}` : `must be one of: ${allowed.join(', ')}` };
    }
    case 'const':
      return { parts, message: `must be ${show(params['allowedValue'])}` };
    case 'pattern':
      return { parts, message: typeof annotated === 'string' ? annotated : 'is not in the expected format' };
    case 'contains':
      return { parts, message: typeof annotated === 'string' ? annotated : 'has no item of the expected kind' };
    case 'minLength':
      return { parts, message: params['limit'] === 1 ? 'must not be empty' : `must be at least ${show(params['limit'])} characters` };
    case 'maxLength':
      return { parts, message: `must be at most ${show(params['limit'])} characters` };
    case 'minItems':
      return { parts, message: params['limit'] === 1 ? 'must not be empty' : `must have at least ${show(params['limit'])} items` };
    case 'maxItems':
      return { parts, message: `must have at most ${show(params['limit'])} items` };
    case 'uniqueItems':
      return { parts, message: `must not repeat an item (items ${show(params['j'])} and ${show(params['i'])} are the same)` };
    case 'minimum':
      return { parts, message: `must be at least ${show(params['limit'])}` };
    case 'maximum':
      return { parts, message: `must be at most ${show(params['limit'])}` };
    case 'not':
      return { parts, message: 'is not allowed' };
    case 'anyOf':
    case 'oneOf':
      return { parts, message: 'must match exactly one of the allowed forms' };
    default:
      return { parts, message: error.message ?? 'is not valid' };
  }
}
