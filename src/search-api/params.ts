import { ApiError, type FieldErrors } from '../platform/api.ts';
import { DEFAULT_FIELDS, FIELDS, isFieldName, namesWhere, type FieldName } from './fields.ts';

export const DEFAULT_COUNT = 10;
export const MAX_COUNT = 1500;

/** How one filter or reject matches: any of some values, a date range (inclusive, whole days), or a flag. */
export type Match =
  | { type: 'any'; values: string[] }
  | { type: 'range'; from: string | null; to: string | null }
  | { type: 'flag'; value: boolean };

export interface Condition {
  field: FieldName;
  match: Match;
}

export type Order = { by: 'relevance' } | { by: FieldName; descending: boolean };

export interface SearchQuery {
  /** The words searched for; absent means every document. */
  q: string | null;
  count: number;
  start: number;
  order: Order;
  fields: FieldName[];
  /** Documents must match every one of these (each matching any of its values). */
  filters: Condition[];
  /** Documents must match none of these. */
  rejects: Condition[];
  aggregates: { field: FieldName; limit: number }[];
}

/** Parameters taken once each; the reference's cache-buster `c` is accepted and ignored. */
const SINGLE = new Set(['q', 'count', 'start', 'order', 'c']);

const WHOLE = /^\d+$/;
const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

function isDay(value: string): boolean {
  const m = DAY.exec(value);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.toISOString().slice(0, 10) === value;
}

function wholeNumber(raw: string, max: number): number | undefined {
  if (!WHOLE.test(raw)) return undefined;
  const n = Number(raw);
  return Number.isSafeInteger(n) && n <= max ? n : undefined;
}

/** `from:YYYY-MM-DD,to:YYYY-MM-DD`, either half optional; undefined with the reason when malformed. */
function dateRange(raw: string): Match | string {
  const range: { from: string | null; to: string | null } = { from: null, to: null };
  for (const part of raw.split(',')) {
    const m = /^(from|to):(.*)$/.exec(part.trim());
    if (!m) return 'must be from:YYYY-MM-DD, to:YYYY-MM-DD or both, separated by a comma';
    const key = m[1] as 'from' | 'to';
    if (range[key] !== null) return `gives ${key} twice`;
    if (!isDay(m[2]!)) return `${key} must be a date YYYY-MM-DD, got ${JSON.stringify(m[2])}`;
    range[key] = m[2]!;
  }
  if (range.from && range.to && range.from > range.to) return 'from is after to';
  return { type: 'range', ...range };
}

function condition(field: FieldName, values: string[]): Match | string {
  const { kind } = FIELDS[field];
  if (values.some((v) => v.trim() === '')) return 'must not be empty';
  if (kind === 'date') return values.length > 1 ? 'takes one date range' : dateRange(values[0]!);
  if (kind === 'boolean') {
    if (values.length > 1) return 'takes one value, true or false';
    if (values[0] !== 'true' && values[0] !== 'false') return 'must be true or false';
    return { type: 'flag', value: values[0] === 'true' };
  }
  return { type: 'any', values: [...new Set(values)] };
}

/**
 * Reads a search's query string. Every problem is collected and reported at
 * once as a 422 naming the parameters at fault, so nothing unknown or
 * malformed is silently ignored.
 */
export function parseSearchParams(params: URLSearchParams): SearchQuery {
  const problems: FieldErrors = {};
  const problem = (name: string, message: string) => (problems[name] ??= []).push(message);
  const grouped = new Map<string, string[]>();
  for (const [name, value] of params) grouped.set(name, [...(grouped.get(name) ?? []), value]);

  const query: SearchQuery = { q: null, count: DEFAULT_COUNT, start: 0, order: { by: 'relevance' }, fields: [...DEFAULT_FIELDS], filters: [], rejects: [], aggregates: [] };
  let order: string | undefined;

  for (const [name, values] of grouped) {
    if (SINGLE.has(name) && values.length > 1) {
      problem(name, 'must be given at most once');
      continue;
    }
    const value = values[0]!;
    const prefixed = /^(filter|reject|aggregate)_(.+)$/.exec(name);
    if (prefixed) {
      const kind = prefixed[1] as 'filter' | 'reject' | 'aggregate';
      const fieldName = prefixed[2]!;
      const can = kind === 'aggregate' ? 'aggregatable' : 'filterable';
      if (!isFieldName(fieldName) || !FIELDS[fieldName][can]) {
        problem(name, `${JSON.stringify(fieldName)} is not a field that can be ${kind === 'aggregate' ? 'aggregated' : `${kind}ed`}; those are ${namesWhere(can).join(', ')}`);
        continue;
      }
      if (kind === 'aggregate') {
        const limit = values.length === 1 ? wholeNumber(value, Number.MAX_SAFE_INTEGER) : undefined;
        if (limit === undefined) problem(name, 'must be given once, as a whole number of options to return');
        else query.aggregates.push({ field: fieldName, limit });
        continue;
      }
      const match = condition(fieldName, values);
      if (typeof match === 'string') problem(name, match);
      else (kind === 'filter' ? query.filters : query.rejects).push({ field: fieldName, match });
      continue;
    }
    switch (name) {
      case 'q':
        query.q = value.trim() === '' ? null : value.trim();
        break;
      case 'count': {
        const n = wholeNumber(value, MAX_COUNT);
        if (n === undefined) problem(name, `must be a whole number from 0 to ${MAX_COUNT}`);
        else query.count = n;
        break;
      }
      case 'start': {
        const n = wholeNumber(value, Number.MAX_SAFE_INTEGER);
        if (n === undefined) problem(name, 'must be a whole number, 0 or more');
        else query.start = n;
        break;
      }
      case 'order':
        order = value;
        break;
      case 'fields': {
        const names = values.flatMap((v) => v.split(',')).map((f) => f.trim()).filter(Boolean);
        const unknown = names.filter((f) => !isFieldName(f));
        if (unknown.length) problem(name, `unknown field(s) ${unknown.map((u) => JSON.stringify(u)).join(', ')}; fields are ${Object.keys(FIELDS).join(', ')}`);
        else if (names.length === 0) problem(name, 'must name at least one field');
        else query.fields = [...new Set(names as FieldName[])];
        break;
      }
      case 'c':
        break;
      default:
        problem(name, 'is not a known parameter');
    }
  }

  if (order !== undefined) {
    const descending = order.startsWith('-');
    const by = descending ? order.slice(1) : order;
    if (!isFieldName(by) || !FIELDS[by].sortable) problem('order', `must be one of ${namesWhere('sortable').join(', ')}, optionally after - for descending`);
    else query.order = { by, descending };
  } else if (query.q === null) {
    // Without words to rank by, the newest first.
    query.order = { by: 'public_timestamp', descending: true };
  }

  const bad = Object.keys(problems);
  if (bad.length) throw new ApiError(422, 'invalid_parameters', `Invalid search parameter(s): ${bad.join(', ')}`, problems);
  return query;
}
