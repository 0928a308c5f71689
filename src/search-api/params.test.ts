import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError } from '../platform/api.ts';
import { DEFAULT_FIELDS } from './fields.ts';
import { parseSearchParams, type SearchQuery } from './params.ts';

const parse = (qs: string): SearchQuery => parseSearchParams(new URLSearchParams(qs));

/** The fields of the 422 a query string gets. */
function refused(qs: string): Record<string, string[]> {
  try {
    parse(qs);
  } catch (err) {
    assert.ok(err instanceof ApiError);
    assert.equal(err.status, 422);
    assert.equal(err.code, 'invalid_parameters');
    return err.fields!;
  }
  assert.fail(`${qs} was accepted`);
}

describe('search parameters', () => {
  test('nothing given: the first 10 of everything, newest first, with the default fields', () => {
    assert.deepEqual(parse(''), {
      q: null, count: 10, start: 0, order: { by: 'public_timestamp', descending: true }, fields: [...DEFAULT_FIELDS], filters: [], rejects: [], aggregates: [],
    });
  });

  test('q orders by relevance unless an order is given; a blank q is no q', () => {
    assert.deepEqual(parse('q=+bee+keeping+').order, { by: 'relevance' });
    assert.equal(parse('q=+bee+keeping+').q, 'bee keeping');
    assert.deepEqual(parse('q=bees&order=title').order, { by: 'title', descending: false });
    assert.deepEqual(parse('q=%20').order, { by: 'public_timestamp', descending: true });
  });

  test('count and start are whole numbers, count at most 1500', () => {
    assert.deepEqual([parse('count=1500&start=30').count, parse('count=0&start=30').start], [1500, 30]);
    for (const bad of ['count=1501', 'count=-1', 'count=1.5', 'count=ten', 'count=']) assert.ok(refused(bad).count, bad);
    for (const bad of ['start=-1', 'start=x', 'start=99999999999999999999']) assert.ok(refused(bad).start, bad);
  });

  test('order: a sortable field, - for descending', () => {
    assert.deepEqual(parse('order=-title').order, { by: 'title', descending: true });
    assert.deepEqual(parse('order=public_timestamp').order, { by: 'public_timestamp', descending: false });
    for (const bad of ['order=description', 'order=relevance', 'order=--title', 'order=']) assert.ok(refused(bad).order, bad);
  });

  test('fields: repeatable or comma-separated, known names only', () => {
    assert.deepEqual(parse('fields=title,link&fields=content_id&fields=title').fields, ['title', 'link', 'content_id']);
    assert.match(refused('fields=title,colour').fields![0]!, /"colour"/);
    assert.ok(refused('fields=,').fields);
  });

  test('filters: repeatable values per field; booleans; date ranges inclusive of either end', () => {
    const q = parse('filter_organisations=a&filter_organisations=b&filter_organisations=a&reject_content_store_document_type=news_story&filter_is_withdrawn=false&filter_public_timestamp=from:2024-01-01,to:2024-12-31');
    assert.deepEqual(q.filters, [
      { field: 'organisations', match: { type: 'any', values: ['a', 'b'] } },
      { field: 'is_withdrawn', match: { type: 'flag', value: false } },
      { field: 'public_timestamp', match: { type: 'range', from: '2024-01-01', to: '2024-12-31' } },
    ]);
    assert.deepEqual(q.rejects, [{ field: 'content_store_document_type', match: { type: 'any', values: ['news_story'] } }]);
    assert.deepEqual(parse('reject_public_timestamp=to:2020-02-29').rejects[0]!.match, { type: 'range', from: null, to: '2020-02-29' });
  });

  test('a bad filter is refused under its own name', () => {
    const cases: [string, RegExp][] = [
      ['filter_colour=red', /not a field that can be filtered/],
      ['reject_title=x', /not a field that can be rejected/],
      ['filter_organisations=', /must not be empty/],
      ['filter_is_withdrawn=yes', /true or false/],
      ['filter_is_withdrawn=true&filter_is_withdrawn=false', /one value/],
      ['filter_public_timestamp=2024-01-01', /from:YYYY-MM-DD/],
      ['filter_public_timestamp=from:2024-02-30', /from must be a date/],
      ['filter_public_timestamp=from:2024-01-01,from:2024-01-02', /from twice/],
      ['filter_public_timestamp=from:2024-02-01,to:2024-01-01', /after/],
      ['filter_public_timestamp=from:2024-01-01&filter_public_timestamp=to:2024-02-01', /one date range/],
    ];
    for (const [qs, message] of cases) {
      const name = qs.split('=')[0]!;
      const fields = refused(qs);
      assert.deepEqual(Object.keys(fields), [name], qs);
      assert.match(fields[name]![0]!, message, qs);
    }
  });

  test('aggregates: an aggregatable field and a limit', () => {
    assert.deepEqual(parse('aggregate_organisations=5&aggregate_content_store_document_type=0').aggregates, [
      { field: 'organisations', limit: 5 },
      { field: 'content_store_document_type', limit: 0 },
    ]);
    assert.ok(refused('aggregate_title=5').aggregate_title);
    assert.ok(refused('aggregate_organisations=5,scope:all_filters').aggregate_organisations);
    assert.ok(refused('aggregate_organisations=-1').aggregate_organisations);
  });

  test('unknown and repeated parameters are refused, all at once; c, the cache-buster, is ignored', () => {
    assert.deepEqual(Object.keys(refused('q=a&q=b&colour=red&count=x&ab_tests=1')).sort(), ['ab_tests', 'colour', 'count', 'q']);
    assert.equal(parse('c=12345').q, null);
  });
});
