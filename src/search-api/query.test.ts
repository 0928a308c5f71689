import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSearchParams } from './params.ts';
import { aggregatesSql, resultsSql, totalSql } from './query.ts';

const parse = (qs: string) => parseSearchParams(new URLSearchParams(qs));
const squash = (s: string) => s.replace(/\s+/g, ' ').trim();

describe('SQL building', () => {
  test('words are one parameter, matched on the whole document and ranked on its title and description, in both text configurations', () => {
    const { text, values } = resultsSql(parse('q=bees&fields=title'));
    assert.deepEqual(values, ['bees', 10, 0]);
    // A sub-select, so that the planner does not estimate a common word's matches and scan the table for them.
    assert.match(text, /^SELECT title AS title FROM search\.documents WHERE search_vector @@ \(SELECT websearch_to_tsquery\('english', \$1::text\) \|\| websearch_to_tsquery\('simple', \$1::text\)\)/);
    assert.match(text, /ORDER BY ts_rank\('\{0\.1, 0\.2, 0\.4, 1\.0\}'::float4\[\], heading_vector, .*\$1::text.*, 1\) DESC, public_timestamp DESC NULLS LAST, base_path LIMIT \$2::int OFFSET \$3::bigint$/);
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
      "SELECT count(*)::int AS total FROM search.documents WHERE (organisation_slugs && $1::text[]) AND (locale = ANY($2::text[])) AND " +
        "(public_timestamp >= ($3::date::timestamp AT TIME ZONE 'UTC') AND public_timestamp < (($4::date + 1)::timestamp AT TIME ZONE 'UTC')) AND " +
        '(is_withdrawn = $5::boolean) AND NOT COALESCE((document_type = ANY($6::text[])), false)',
    );
    assert.deepEqual(values, [['a', 'b'], ['en'], '2024-01-01', '2024-01-31', false, ['news_story']]);
  });

  test("aggregates are one statement; each field's options are counted under every filter but its own", () => {
    const q = parse('q=x&filter_organisations=a&filter_content_store_document_type=guide&filter_locale=en&aggregate_organisations=5&aggregate_content_store_document_type=3');
    const { text, values } = aggregatesSql(q);
    const sql = squash(text);
    // The filter on a field that is not aggregated narrows the one pass; those on aggregated fields become flags.
    assert.match(sql, /FROM \(SELECT organisations, document_type, COALESCE\(\(organisation_slugs && \$2::text\[\]\), false\) AS f0, COALESCE\(\(document_type = ANY\(\$3::text\[\]\)\), false\) AS f1 FROM search\.documents WHERE search_vector @@ .* AND \(locale = ANY\(\$4::text\[\]\)\)\) AS m/);
    assert.match(sql, /SELECT \$5::text, o->>'slug', o->>'title' FROM jsonb_array_elements\(m\.organisations\) AS o WHERE m\.f1 UNION ALL SELECT \$6::text, m\.document_type::text, NULL WHERE m\.f0\)/);
    assert.deepEqual(values, ['x', ['a'], ['guide'], ['en'], 'organisations', 'content_store_document_type']);
    assert.doesNotMatch(squash(aggregatesSql(parse('aggregate_locale=2')).text), /WHERE m\./, 'no filters, nothing to flag');
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
