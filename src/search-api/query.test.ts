import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSearchParams } from './params.ts';
import { aggregateSql, resultsSql, totalSql } from './query.ts';

const parse = (qs: string) => parseSearchParams(new URLSearchParams(qs));
const squash = (s: string) => s.replace(/\s+/g, ' ').trim();

describe('SQL building', () => {
  test('words are one parameter, matched and ranked in both text configurations', () => {
    const { text, values } = resultsSql(parse('q=bees&fields=title'));
    assert.deepEqual(values, ['bees', 10, 0]);
    assert.match(text, /^SELECT title AS title FROM search\.documents WHERE search_vector @@ \(websearch_to_tsquery\('english', \$1::text\) \|\| websearch_to_tsquery\('simple', \$1::text\)\)/);
    assert.match(text, /ORDER BY ts_rank_cd\('\{0\.1, 0\.2, 0\.4, 1\.0\}'::float4\[\], search_vector, .*\$1::text.*, 1\) DESC, public_timestamp DESC NULLS LAST, base_path LIMIT \$2::int OFFSET \$3::bigint$/);
  });

  test('fields are selected under their names; an order comes before relevance', () => {
    const { text } = resultsSql(parse('q=bees&fields=link,content_store_document_type&order=-public_timestamp'));
    assert.match(text, /^SELECT base_path AS link, document_type AS content_store_document_type FROM/);
    assert.match(text, /ORDER BY public_timestamp DESC NULLS LAST, ts_rank_cd\(.*\) DESC, public_timestamp DESC NULLS LAST, base_path LIMIT/);
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

  test("an aggregate leaves out its own field's filter and keeps the rest", () => {
    const q = parse('q=x&filter_organisations=a&filter_content_store_document_type=guide&aggregate_organisations=5');
    const orgs = aggregateSql(q, 'organisations');
    assert.doesNotMatch(orgs.text, /organisation_slugs &&/);
    assert.match(squash(orgs.text), /CROSS JOIN LATERAL jsonb_array_elements\(organisations\) AS o WHERE search_vector @@ .* AND \(document_type = ANY\(\$2::text\[\]\)\) GROUP BY 1 ORDER BY documents DESC, slug$/);
    assert.deepEqual(orgs.values, ['x', ['guide']]);
    const types = aggregateSql(q, 'content_store_document_type');
    assert.match(squash(types.text), /^SELECT document_type::text AS slug, NULL AS title, count\(\*\)::int AS documents FROM search\.documents WHERE .* AND \(organisation_slugs && \$2::text\[\]\) GROUP BY 1/);
  });

  test('user input only ever travels as parameters', () => {
    const nasty = "'); DROP TABLE search.documents; --";
    const q = parse(`q=${encodeURIComponent(nasty)}&filter_link=${encodeURIComponent(nasty)}&aggregate_locale=1`);
    for (const sql of [resultsSql(q), totalSql(q), aggregateSql(q, 'locale')]) {
      assert.doesNotMatch(sql.text, /DROP/);
      assert.ok(sql.values.includes(nasty) || sql.values.some((v) => Array.isArray(v) && v.includes(nasty)));
    }
  });
});
