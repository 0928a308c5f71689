import type { Queryable } from '../platform/db/index.ts';
import type { FieldName } from './fields.ts';
import type { SearchQuery } from './params.ts';
import { aggregatesSql, resultsSql, TOTAL_LIMIT, totalSql } from './query.ts';

export interface AggregateOption {
  value: { slug: string; title?: string };
  documents: number;
}

export interface Aggregate {
  options: AggregateOption[];
  /** Options there are under the other filters. */
  total_options: number;
  /** Options left out by the limit. */
  missing_options: number;
}

export interface SearchResponse {
  results: Record<string, unknown>[];
  /** Exact up to TOTAL_LIMIT matches; past that, TOTAL_LIMIT with `total_is_estimate`. */
  total: number;
  /** True when there are more matches than `total` says. */
  total_is_estimate: boolean;
  start: number;
  aggregates: Record<string, Aggregate>;
  /** Always empty: there is no spelling suggester; kept so clients of the reference work unchanged. */
  suggested_queries: string[];
}

// Both drivers hand back jsonb parsed and timestamptz as a Date.
const present = (value: unknown): unknown => (value instanceof Date ? value.toISOString() : value);

/**
 * Runs a parsed search: the page, the total and each aggregate, answered in
 * the reference's shape. The page and the counting run side by side; with
 * aggregates, the statement that counts them also counts the total.
 */
export async function search(db: Queryable, q: SearchQuery): Promise<SearchResponse> {
  const page = resultsSql(q);
  const aggregates = q.aggregates.length ? aggregatesSql(q) : null;
  const count = aggregates ? null : totalSql(q);
  const [rows, total, aggregated] = await Promise.all([
    db.query<Record<string, unknown>>(page.text, page.values),
    count && db.query<{ total: number }>(count.text, count.values),
    aggregates && db.query<{ field: FieldName | null; slug: string; title: string | null; documents: number }>(aggregates.text, aggregates.values),
  ]);
  const counted = aggregated?.rows.filter((o) => o.field !== null) ?? [];
  const matches = total ? total.rows[0]!.total : aggregated!.rows.at(-1)!.documents;
  const aggregateOf = ({ field, limit }: SearchQuery['aggregates'][number]): Aggregate => {
    const options = counted.filter((o) => o.field === field);
    const shown = options.slice(0, limit).map((o) => ({ value: o.title === null ? { slug: o.slug } : { slug: o.slug, title: o.title }, documents: o.documents }));
    return { options: shown, total_options: options.length, missing_options: options.length - shown.length };
  };
  return {
    results: rows.rows.map((row) => Object.fromEntries(q.fields.map((f: FieldName) => [f, present(row[f])]))),
    total: Math.min(matches, TOTAL_LIMIT),
    total_is_estimate: matches > TOTAL_LIMIT,
    start: q.start,
    aggregates: Object.fromEntries(q.aggregates.map((a) => [a.field, aggregateOf(a)])),
    suggested_queries: [],
  };
}
