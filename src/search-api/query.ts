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

/** The words as both configurations read them: English documents carry stems, other locales plain words, and either half of the OR finds its own kind. */
const wordsQuery = (placeholder: string) => `websearch_to_tsquery('english', ${placeholder}) || websearch_to_tsquery('simple', ${placeholder})`;

/**
 * The words in a sub-select, so the planner cannot see them: seeing a common
 * one, it estimates most of the table and scans it all, detoasting every
 * search_vector, where the GIN index is several times faster.
 */
const tsquery = (placeholder: string) => `(SELECT ${wordsQuery(placeholder)})`;

/**
 * Ranked on the title and description only: the body's vector is in TOAST,
 * and reading it for every match of a common word was most of a search's
 * time. ts_rank rather than ts_rank_cd: on vectors this short the order is
 * much the same, and it costs half as much a match.
 */
const rank = (placeholder: string) => `ts_rank(${WEIGHTS}, heading_vector, ${tsquery(placeholder)}, ${LENGTH_NORMALISATION})`;

/**
 * A search reports its exact total up to this many matches and this many,
 * flagged as a lower bound, past it: counting every match of a common word
 * meant reading tens of thousands of rows. Elasticsearch's default
 * track_total_hits is the same.
 */
export const TOTAL_LIMIT = 10_000;

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
 * The filters (AND across fields, OR within one), then the rejects.
 * `exceptFilterOn` leaves out the filter on one field, so that field's counts
 * show the options a reader could switch to. A reject never excludes a
 * document that lacks the field.
 */
function filterClauses(q: SearchQuery, p: Params, exceptFilterOn?: FieldName): string[] {
  const clauses: string[] = [];
  for (const f of q.filters) if (f.field !== exceptFilterOn) clauses.push(`(${conditionSql(f, p)})`);
  for (const r of q.rejects) clauses.push(`NOT COALESCE((${conditionSql(r, p)}), false)`);
  return clauses;
}

const whereOf = (clauses: string[]): string => (clauses.length ? `WHERE ${clauses.join(' AND ')}` : '');

/** The WHERE clause: the words, then every filter and reject. */
function whereSql(q: SearchQuery, p: Params, words: string | null, exceptFilterOn?: FieldName): string {
  return whereOf([...(words ? [`search_vector @@ ${tsquery(words)}`] : []), ...filterClauses(q, p, exceptFilterOn)]);
}

/** A statement's parameters, the words first when there are any (used in both WHERE and ORDER BY). */
function begin(q: SearchQuery): { p: Params; words: string | null } {
  const p = new Params();
  return { p, words: q.q === null ? null : p.add(q.q, 'text') };
}

/** The page of results, with the requested fields under their names. */
export function resultsSql(q: SearchQuery): Sql {
  const { p, words } = begin(q);
  if (words && q.order.by === 'relevance') return byRelevanceSql(q, p, words);
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

/**
 * How many of the newest documents the body half reads, per result it needs,
 * before it turns to the GIN index. Reading a document there costs about
 * seven times what a match found through the index costs (its search_vector
 * comes out of TOAST), so a word in more than 1 in 40 documents is found
 * sooner by walking, and a rarer one wastes at most a small, fixed walk.
 */
const WALK_PER_RESULT = 40;
/** The most it reads, so that a deep page of a rare word does not read the whole table before turning to the index. */
const WALK_MAX = 2000;

/**
 * Relevance order without ranking every match: the page is the first
 * start + count of (rank desc, newest first). Only documents whose title and
 * description match the query on their own rank above 0, and the GIN index on
 * heading_vector finds just those, usually a small part of a common word's
 * matches; each of the two halves contributes at most start + count rows.
 *
 * Every other match ranks 0, newest first. A common word's first matches are
 * among the newest documents, which the public_timestamp index serves in
 * order; a rare word's are found through the GIN index and sorted. The
 * planner used to choose between the two from its estimate of the matches,
 * but it costs a document read on the walk as if it were free, so it walked
 * thousands of documents for a word in 1% of them. Now the statement walks
 * a bounded number of the newest documents, and only when they hold fewer
 * matches than the page needs does it read the matches through the index:
 * either way the rows are the first matches in that order.
 */
function byRelevanceSql(q: SearchQuery, p: Params, words: string): Sql {
  const depth = p.add(q.start + q.count, 'bigint');
  const walk = p.add(Math.min((q.start + q.count) * WALK_PER_RESULT, WALK_MAX), 'bigint');
  // A heading that matches is part of the whole document, which then matches too, unless a word is negated (websearch's -word) and is in the body.
  const negates = q.q!.includes('-');
  const heading = whereOf([`heading_vector @@ ${tsquery(words)}`, ...(negates ? [`search_vector @@ ${tsquery(words)}`] : []), ...filterClauses(q, p)]);
  const body = whereOf([`search_vector @@ ${tsquery(words)}`, `NOT heading_vector @@ ${tsquery(words)}`, ...filterClauses(q, p)]);
  const text = `WITH walked AS (
      SELECT base_path, public_timestamp FROM (SELECT * FROM search.documents ORDER BY public_timestamp DESC NULLS LAST, base_path LIMIT ${walk}) AS newest
      ${body} ORDER BY public_timestamp DESC NULLS LAST, base_path LIMIT ${depth}
    )
    SELECT ${q.fields.map((f) => `d.${FIELDS[f].column} AS ${f}`).join(', ')} FROM (
      (SELECT base_path, public_timestamp, ${rank(words)} AS rank FROM search.documents ${heading}
        ORDER BY rank DESC, public_timestamp DESC NULLS LAST, base_path LIMIT ${depth})
      UNION ALL
      SELECT base_path, public_timestamp, 0::float4 FROM walked WHERE (SELECT count(*) FROM walked) = ${depth}
      UNION ALL
      (SELECT base_path, public_timestamp, 0::float4 FROM (SELECT base_path, public_timestamp FROM search.documents ${body} OFFSET 0) AS matches
        WHERE (SELECT count(*) FROM walked) < ${depth}
        ORDER BY public_timestamp DESC NULLS LAST, base_path LIMIT ${depth})
    ) AS top(base_path, public_timestamp, rank) JOIN search.documents AS d USING (base_path)
    ORDER BY top.rank DESC, top.public_timestamp DESC NULLS LAST, base_path LIMIT ${p.add(q.count, 'int')} OFFSET ${p.add(q.start, 'bigint')}`;
  return { text, values: p.values };
}

/** The matches, counted up to one past TOTAL_LIMIT so the caller can tell an exact total from a lower bound. */
export function totalSql(q: SearchQuery): Sql {
  const { p, words } = begin(q);
  return {
    text: `SELECT count(*)::int AS total FROM (SELECT FROM search.documents ${whereSql(q, p, words)} LIMIT ${TOTAL_LIMIT + 1}) AS m`,
    values: p.values,
  };
}

/**
 * Every option of every aggregated field with its document count, most
 * documents first (the caller applies each limit), and then the total: one
 * pass over the matches, grouped by each field in turn (GROUPING SETS). Each
 * field's options are counted under every filter but its own, so the filters
 * on aggregated fields become FILTER clauses of the other fields' counts
 * rather than WHERE conditions. Organisations are grouped by the row's array
 * of slugs, each combination once, and unnested only then; a title is read
 * afterwards from the organisations of one document per option (the first by
 * path), rather than unpacking the jsonb of every match.
 *
 * The total comes from the same pass rather than a statement of its own,
 * which would read the matches again: every match is in exactly one group of
 * the first field, so the groups that also pass that field's own filter add
 * up to the matches of every filter. It is exact, and past TOTAL_LIMIT
 * reported as the separate count is. Its row comes last, with no field.
 */
export function aggregatesSql(q: SearchQuery): Sql {
  const { p, words } = begin(q);
  const fields = [...new Set(q.aggregates.map((a) => a.field))];
  const shared: SearchQuery = { ...q, filters: q.filters.filter((f) => !fields.includes(f.field)) };
  const where = whereSql(shared, p, words);
  const keys = fields.map((f) => FIELDS[f].filterColumn);
  const titled = (field: FieldName) => FIELDS[field].kind === 'organisations';
  const counts = fields.map((field, i) => {
    const others = q.filters.filter((f) => f.field !== field && fields.includes(f.field)).map((f) => `(${conditionSql(f, p)})`);
    const filter = others.length ? ` FILTER (WHERE ${others.join(' AND ')})` : '';
    // Only an organisation needs an example document, for its title; every aggregate is computed for every grouping set, so each one left out saves work on every match.
    return `GROUPING(${keys[i]}) = 0 AS by${i}, count(*)${filter} AS n${i}${titled(field) ? `, min(base_path)${filter} AS e${i}` : ''}`;
  });
  const options = fields.map((field, i) => {
    const name = p.add(field, 'text');
    return titled(field)
      ? `SELECT ${name}, s, g.n${i}, g.e${i}, true FROM g CROSS JOIN LATERAL unnest(g.${keys[i]}) AS s WHERE g.by${i} AND g.n${i} > 0`
      : `SELECT ${name}, g.${keys[i]}::text, g.n${i}, NULL, false FROM g WHERE g.by${i} AND g.n${i} > 0`;
  });
  const own = q.filters.filter((f) => f.field === fields[0]).map((f) => ` AND (${conditionSql(f, p)})`);
  const text = `WITH g AS (
      SELECT ${keys.join(', ')}, ${counts.join(', ')} FROM search.documents ${where} GROUP BY GROUPING SETS (${keys.map((k) => `(${k})`).join(', ')})
    )
    SELECT c.field, c.slug, c.documents,
      CASE WHEN c.titled THEN (SELECT o->>'title' FROM search.documents AS d, jsonb_array_elements(d.organisations) AS o WHERE d.base_path = c.example AND o->>'slug' = c.slug LIMIT 1) END AS title
    FROM (SELECT field, slug, sum(n)::int AS documents, min(example) AS example, bool_or(titled) AS titled
      FROM (${options.join(' UNION ALL ')}) AS a(field, slug, n, example, titled) GROUP BY 1, 2) AS c
    UNION ALL
    SELECT NULL, NULL, coalesce(sum(g.n0), 0)::int, NULL FROM g WHERE g.by0${own.join('')}
    ORDER BY 1 NULLS LAST, 3 DESC, 2`;
  return { text, values: p.values };
}
