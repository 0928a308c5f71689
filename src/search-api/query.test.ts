import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSearchParams } from './params.ts';
import { aggregatesSql, resultsSql, totalSql } from './query.ts';

const parse = (qs: string) => parseSearchParams(new URLSearchParams(qs));
const squash = (s: string) => s.replace(/\s+/g, ' ').trim();

describe('SQL building', () => {
  test('words are one parameter, matched on the whole document and ranked on its title and description, in both text configurations', () => {
    const { text, values } = resultsSql(parse('q=bees&fields=title&start=20&count=5'));
    assert.deepEqual(values, ['bees', 25, 1000, 5, 20]);
    const sql = squash(text);
    // A sub-select, so that the planner does not estimate a common word's matches and scan the table for them.
    const words = String.raw`\(SELECT websearch_to_tsquery\('english', \$1::text\) \|\| websearch_to_tsquery\('simple', \$1::text\)\)`;
    // The body matches, newest first: first looked for among the newest 40 documents per result needed.
    assert.match(sql, new RegExp(String.raw`^WITH walked AS \( SELECT base_path, public_timestamp FROM \(SELECT \* FROM search\.documents ORDER BY public_timestamp DESC NULLS LAST, base_path LIMIT \$3::bigint\) AS newest WHERE search_vector @@ ${words} AND NOT heading_vector @@ ${words} ORDER BY public_timestamp DESC NULLS LAST, base_path LIMIT \$2::bigint \) SELECT d\.title AS title FROM \(`));
    // Ranked: only the documents whose title and description match, found through their own index, and at most start + count of them.
    // A heading that matches implies the whole document does, so the heading half does not read the whole document's index.
    assert.match(sql, new RegExp(String.raw`\(SELECT base_path, public_timestamp, ts_rank\('\{0\.1, 0\.2, 0\.4, 1\.0\}'::float4\[\], heading_vector, ${words}, 1\) AS rank FROM search\.documents WHERE heading_vector @@ ${words} ORDER BY rank DESC, public_timestamp DESC NULLS LAST, base_path LIMIT \$2::bigint\)`));
    // The walk's matches when it found enough of them; otherwise every match, through the GIN index (OFFSET 0 keeps the LIMIT from turning it into a walk), sorted.
    assert.match(sql, /UNION ALL SELECT base_path, public_timestamp, 0::float4 FROM walked WHERE \(SELECT count\(\*\) FROM walked\) = \$2::bigint UNION ALL/);
    assert.match(sql, new RegExp(String.raw`\(SELECT base_path, public_timestamp, 0::float4 FROM \(SELECT base_path, public_timestamp FROM search\.documents WHERE search_vector @@ ${words} AND NOT heading_vector @@ ${words} OFFSET 0\) AS matches WHERE \(SELECT count\(\*\) FROM walked\) < \$2::bigint ORDER BY public_timestamp DESC NULLS LAST, base_path LIMIT \$2::bigint\)`));
    assert.match(sql, /\) AS top\(base_path, public_timestamp, rank\) JOIN search\.documents AS d USING \(base_path\) ORDER BY top\.rank DESC, top\.public_timestamp DESC NULLS LAST, base_path LIMIT \$4::int OFFSET \$5::bigint$/);
    // A deep page walks no further than 2,000 documents before turning to the index.
    assert.deepEqual(resultsSql(parse('q=bees&start=5000')).values.slice(1, 3), [5010, 2000]);
  });

  test('with a negated word, a heading match must also match the whole document: the word it excludes may be in the body', () => {
    const sql = squash(resultsSql(parse('q=bees%20-wasps')).text);
    assert.match(sql, /FROM search\.documents WHERE heading_vector @@ \(SELECT .*\) AND search_vector @@ \(SELECT .*\) ORDER BY rank DESC/);
  });

  test('fields are selected under their names; an order comes before relevance', () => {
    const { text } = resultsSql(parse('q=bees&fields=link,content_store_document_type&order=-public_timestamp'));
    assert.match(text, /^SELECT base_path AS link, document_type AS content_store_document_type FROM/);
    assert.match(text, /ORDER BY public_timestamp DESC NULLS LAST, ts_rank\(.*\) DESC, public_timestamp DESC NULLS LAST, base_path LIMIT/);
  });

  test('filters AND across fields, OR within one (as arrays); rejects are null-safe', () => {
    const q = parse('filter_organisations=a&filter_organisations=b&filter_locale=en&reject_content_store_document_type=news_story&filter_public_timestamp=from:2024-01-01,to:2024-01-31&filter_is_withdrawn=false');
    const { text, values } = totalSql(q);
    assert.equal(
      squash(text),
      "SELECT count(*)::int AS total FROM (SELECT FROM search.documents WHERE (organisation_slugs && $1::text[]) AND (locale = ANY($2::text[])) AND " +
        "(public_timestamp >= ($3::date::timestamp AT TIME ZONE 'UTC') AND public_timestamp < (($4::date + 1)::timestamp AT TIME ZONE 'UTC')) AND " +
        '(is_withdrawn = $5::boolean) AND NOT COALESCE((document_type = ANY($6::text[])), false) LIMIT 10001) AS m',
    );
    assert.deepEqual(values, [['a', 'b'], ['en'], '2024-01-01', '2024-01-31', false, ['news_story']]);
  });

  test("aggregates and the total are one statement; each field's options are counted under every filter but its own", () => {
    const q = parse('q=x&filter_organisations=a&filter_content_store_document_type=guide&filter_locale=en&aggregate_organisations=5&aggregate_content_store_document_type=3');
    const { text, values } = aggregatesSql(q);
    const sql = squash(text);
    // The filter on a field that is not aggregated narrows the one pass; those on aggregated fields filter the other fields' counts.
    // Only organisations carry an example document (for the title).
    assert.match(sql, /^WITH g AS \( SELECT organisation_slugs, document_type, GROUPING\(organisation_slugs\) = 0 AS by0, count\(\*\) FILTER \(WHERE \(document_type = ANY\(\$3::text\[\]\)\)\) AS n0, min\(base_path\) FILTER \(WHERE \(document_type = ANY\(\$3::text\[\]\)\)\) AS e0, GROUPING\(document_type\) = 0 AS by1, count\(\*\) FILTER \(WHERE \(organisation_slugs && \$4::text\[\]\)\) AS n1 FROM search\.documents WHERE search_vector @@ .* AND \(locale = ANY\(\$2::text\[\]\)\) GROUP BY GROUPING SETS \(\(organisation_slugs\), \(document_type\)\) \)/);
    // Organisations are counted by their slugs; the jsonb is read only for one document per option, for the title.
    assert.match(sql, /SELECT \$5::text, s, g\.n0, g\.e0, true FROM g CROSS JOIN LATERAL unnest\(g\.organisation_slugs\) AS s WHERE g\.by0 AND g\.n0 > 0 UNION ALL SELECT \$6::text, g\.document_type::text, g\.n1, NULL, false FROM g WHERE g\.by1 AND g\.n1 > 0/);
    assert.match(sql, /jsonb_array_elements\(d\.organisations\) AS o WHERE d\.base_path = c\.example/);
    // The total: the first field's groups that pass its own filter, last.
    assert.match(sql, /UNION ALL SELECT NULL, NULL, coalesce\(sum\(g\.n0\), 0\)::int, NULL FROM g WHERE g\.by0 AND \(organisation_slugs && \$7::text\[\]\) ORDER BY 1 NULLS LAST, 3 DESC, 2$/);
    assert.deepEqual(values, ['x', ['en'], ['guide'], ['a'], 'organisations', 'content_store_document_type', ['a']]);
    assert.doesNotMatch(squash(aggregatesSql(parse('aggregate_locale=2')).text), /FILTER|min\(base_path\)/, 'no filters, counted as they are; no example for a field without titles');
  });

  test('user input only ever travels as parameters', () => {
    const nasty = "'); DROP TABLE search.documents; --";
    const q = parse(`q=${encodeURIComponent(nasty)}&filter_link=${encodeURIComponent(nasty)}&aggregate_locale=1`);
    for (const sql of [resultsSql(q), totalSql(q), aggregatesSql(q)]) {
      assert.doesNotMatch(sql.text, /DROP/);
      assert.ok(sql.values.includes(nasty) || sql.values.some((v) => Array.isArray(v) && v.includes(nasty)));
    }
  });
});
