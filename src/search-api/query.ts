import { FIELDS, type FieldName } from './fields.ts';
import type { Condition, SearchQuery } from './params.ts';

export interface Sql {
  text: string;
  values: unknown[];
}

/** Collects a statement's parameters and hands back their placeholders. */
class Params {
  readonly values: unknown[] = [];
  add(value: unknown, cast: string): string {
    this.values.push(value);
    return `$${this.values.length}::${cast}`;
  }
}

/**
 * Weights for ts_rank, in its order D, C, B, A: a word in the title (A)
 * counts two and a half times one in the description (B).
 */
const WEIGHTS = `'{0.1, 0.2, 0.4, 1.0}'::float4[]`;
/** Rank divided by 1 + log(length): a long title and description do not win by repeating a word. */
const LENGTH_NORMALISATION = 1;

/**
 * The words as both configurations read them: English documents carry stems,
 * other locales plain words, and either half of the OR finds its own kind.
 * A sub-select, so the planner cannot see the words: seeing a common one, it
 * estimates most of the table and scans it all, detoasting every
 * search_vector, where the GIN index is several times faster.
 */
const tsquery = (placeholder: string) => `(SELECT websearch_to_tsquery('english', ${placeholder}) || websearch_to_tsquery('simple', ${placeholder}))`;

/**
 * Ranked on the title and description only: the body's vector is in TOAST,
 * and reading it for every match of a common word was most of a search's
 * time. A body match ranks 0 here, below any title or description match, and
 * body matches come newest first. ts_rank rather than ts_rank_cd: on vectors
 * this short the order is much the same, and it costs half as much a match.
 */
const rank = (placeholder: string) => `ts_rank(${WEIGHTS}, heading_vector, ${tsquery(placeholder)}, ${LENGTH_NORMALISATION})`;

/** A range's days are whole UTC days, `to` included. */
function conditionSql({ field, match }: Condition, p: Params): string {
  const def = FIELDS[field];
  switch (match.type) {
    case 'any':
      return def.kind === 'organisations' || def.kind === 'keywords'
        ? `${def.filterColumn} && ${p.add(match.values, 'text[]')}`
        : `${def.filterColumn} = ANY(${p.add(match.values, 'text[]')})`;
    case 'range': {
      const bounds: string[] = [];
      if (match.from) bounds.push(`${def.filterColumn} >= (${p.add(match.from, 'date')}::timestamp AT TIME ZONE 'UTC')`);
      if (match.to) bounds.push(`${def.filterColumn} < ((${p.add(match.to, 'date')} + 1)::timestamp AT TIME ZONE 'UTC')`);
      return bounds.join(' AND ');
    }
    case 'flag':
      return `${def.filterColumn} = ${p.add(match.value, 'boolean')}`;
  }
}

/**
 * The WHERE clause: the words, then every filter (AND across fields, OR
 * within one), then every reject. `exceptFilterOn` leaves out the filter on
 * one field, so that field's counts show the options a reader could switch to.
 * A reject never excludes a document that lacks the field.
 */
function whereSql(q: SearchQuery, p: Params, words: string | null, exceptFilterOn?: FieldName): string {
  const clauses: string[] = [];
  if (words) clauses.push(`search_vector @@ ${tsquery(words)}`);
  for (const f of q.filters) if (f.field !== exceptFilterOn) clauses.push(`(${conditionSql(f, p)})`);
  for (const r of q.rejects) clauses.push(`NOT COALESCE((${conditionSql(r, p)}), false)`);
  return clauses.length ? `WHERE ${clauses.join(' AND ')}` : '';
}

/** A statement's parameters, the words first when there are any (used in both WHERE and ORDER BY). */
function begin(q: SearchQuery): { p: Params; words: string | null } {
  const p = new Params();
  return { p, words: q.q === null ? null : p.add(q.q, 'text') };
}

/** The page of results, with the requested fields under their names. */
export function resultsSql(q: SearchQuery): Sql {
  const { p, words } = begin(q);
  const columns = q.fields.map((f) => `${FIELDS[f].column} AS ${f}`);
  const where = whereSql(q, p, words);
  const order: string[] = [];
  if (q.order.by !== 'relevance') order.push(`${FIELDS[q.order.by].column} ${q.order.descending ? 'DESC' : 'ASC'} NULLS LAST`);
  if (words) order.push(`${rank(words)} DESC`);
  // Ties broken the same way every time, so pages neither repeat nor skip a document.
  order.push('public_timestamp DESC NULLS LAST', 'base_path');
  const text = `SELECT ${columns.join(', ')} FROM search.documents ${where} ORDER BY ${order.join(', ')} LIMIT ${p.add(q.count, 'int')} OFFSET ${p.add(q.start, 'bigint')}`;
  return { text, values: p.values };
}

export function totalSql(q: SearchQuery): Sql {
  const { p, words } = begin(q);
  return { text: `SELECT count(*)::int AS total FROM search.documents ${whereSql(q, p, words)}`, values: p.values };
}

/**
 * Every option of every aggregated field with its document count, most
 * documents first; the caller applies each limit. One pass over the matches:
 * each field's options are counted under every filter but its own, so the
 * filters on aggregated fields travel as flags rather than in the WHERE clause.
 */
export function aggregatesSql(q: SearchQuery): Sql {
  const { p, words } = begin(q);
  const fields = new Set(q.aggregates.map((a) => a.field));
  const shared: SearchQuery = { ...q, filters: q.filters.filter((f) => !fields.has(f.field)) };
  const flagged = q.filters.filter((f) => fields.has(f.field));
  const flags = flagged.map((f, i) => `COALESCE((${conditionSql(f, p)}), false) AS f${i}`);
  const where = whereSql(shared, p, words);
  const options = [...fields].map((field) => {
    const others = flagged.flatMap((f, i) => (f.field === field ? [] : [`m.f${i}`]));
    const when = others.length ? `WHERE ${others.join(' AND ')}` : '';
    const def = FIELDS[field];
    const name = p.add(field, 'text');
    return def.kind === 'organisations'
      ? `SELECT ${name}, o->>'slug', o->>'title' FROM jsonb_array_elements(m.organisations) AS o ${when}`
      : `SELECT ${name}, m.${def.column}::text, NULL ${when}`;
  });
  const columns = [...new Set([...[...fields].map((f) => FIELDS[f].column), ...flags])];
  const text = `SELECT a.field, a.slug, max(a.title) AS title, count(*)::int AS documents
    FROM (SELECT ${columns.join(', ')} FROM search.documents ${where}) AS m
    CROSS JOIN LATERAL (${options.join(' UNION ALL ')}) AS a(field, slug, title)
    GROUP BY 1, 2 ORDER BY 1, documents DESC, slug`;
  return { text, values: p.values };
}
