import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { openTestDb, type TestDb } from '../platform/db/testing.ts';
import { AllowList } from './allow-list.ts';
import { planImport, type ImportRow } from './import-rows.ts';
import { writeImport } from './import.ts';
import { migrateTransition } from './schema.ts';
import { addSite, type Site } from './sites.ts';

let t: TestDb;
let site: Site;
const allow = new AllowList([]);
let clock = new Date('2026-01-01T00:00:00Z');

const rows = (csv: string) => {
  const plan = planImport(csv, site, allow);
  assert.deepEqual(plan.rejected, []);
  return plan.rows;
};
const run = (csv: string, opts: { updateExisting?: boolean; tags?: string[] } = {}) => writeImport(t.db, site, rows(csv), { filename: 'f.csv', now: clock, ...opts });

async function mappings(): Promise<Record<string, unknown>[]> {
  const { rows: found } = await t.db.query(
    'SELECT path, type, new_url, archive_url, tags, created_at, updated_at FROM transition.mappings WHERE site_id = $1 ORDER BY path',
    [site.id],
  );
  return found.map((r) => ({ ...r, created_at: new Date(r.created_at as string).toISOString(), updated_at: new Date(r.updated_at as string).toISOString() }));
}

before(async () => {
  t = await openTestDb();
  await migrateTransition(t.db);
  site = await t.db.transaction((tx) =>
    addSite(tx, { abbr: 'old', hosts: ['www.old.gov.uk'], homepage: 'https://www.gov.uk/', tnaTimestamp: new Date('2012-01-01T00:00:00Z') }),
  );
});
after(() => t.close());

describe('writing an import', () => {
  test('creates each mapping, with its tags, and records the batch', async () => {
    const counts = await run('/a,https://www.gov.uk/a\n/b,TNA\n/c\n', { tags: ['first'] });
    assert.deepEqual(counts, { created: 3, updated: 0, unchanged: 0, kept: 0 });
    assert.deepEqual(await mappings(), [
      { path: '/a', type: 'redirect', new_url: 'https://www.gov.uk/a', archive_url: null, tags: ['first'], created_at: '2026-01-01T00:00:00.000Z', updated_at: '2026-01-01T00:00:00.000Z' },
      { path: '/b', type: 'archive', new_url: null, archive_url: null, tags: ['first'], created_at: '2026-01-01T00:00:00.000Z', updated_at: '2026-01-01T00:00:00.000Z' },
      { path: '/c', type: 'unresolved', new_url: null, archive_url: null, tags: ['first'], created_at: '2026-01-01T00:00:00.000Z', updated_at: '2026-01-01T00:00:00.000Z' },
    ]);
    const batches = await t.db.query('SELECT filename, tags, created, updated, unchanged FROM transition.import_batches');
    assert.deepEqual(batches.rows, [{ filename: 'f.csv', tags: ['first'], created: 3, updated: 0, unchanged: 0 }]);
  });

  test('leaves existing mappings as they are without --update-existing, saying how many differ', async () => {
    clock = new Date('2026-02-01T00:00:00Z');
    const before = await mappings();
    const counts = await run('/a,https://www.gov.uk/a\n/b,https://www.gov.uk/b\n/c,TNA\n/d,TNA\n');
    assert.deepEqual(counts, { created: 1, updated: 0, unchanged: 3, kept: 2 });
    const after = await mappings();
    assert.deepEqual(after.slice(0, 3), before);
    assert.equal(after[3]!.path, '/d');
  });

  test('overwrites the ones that differ with --update-existing, adding to their tags', async () => {
    clock = new Date('2026-03-01T00:00:00Z');
    const counts = await run('/a,https://www.gov.uk/a\n/b,https://www.gov.uk/b\n/c,http://webarchive.nationalarchives.gov.uk/1/x\n', { updateExisting: true, tags: ['second'] });
    assert.deepEqual(counts, { created: 0, updated: 3, unchanged: 0, kept: 0 });
    const [a, b, c] = await mappings();
    assert.deepEqual([a!.type, a!.tags, a!.updated_at, a!.created_at], ['redirect', ['first', 'second'], '2026-03-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z']);
    assert.deepEqual([b!.type, b!.new_url, b!.archive_url], ['redirect', 'https://www.gov.uk/b', null]);
    assert.deepEqual([c!.type, c!.new_url, c!.archive_url], ['archive', null, 'http://webarchive.nationalarchives.gov.uk/1/x']);
  });

  test('an archive updated to a redirect loses its archive URL', async () => {
    await run('/c,https://www.gov.uk/c\n', { updateExisting: true });
    const c = (await mappings()).find((m) => m.path === '/c')!;
    assert.deepEqual([c.type, c.new_url, c.archive_url], ['redirect', 'https://www.gov.uk/c', null]);
  });

  test('the same file again changes nothing', async () => {
    const csv = '/a,https://www.gov.uk/a\n/b,https://www.gov.uk/b\n';
    const counts = await writeImport(t.db, site, rows(csv), { filename: 'f.csv', now: new Date(), updateExisting: true });
    assert.deepEqual(counts, { created: 0, updated: 0, unchanged: 2, kept: 0 });
  });

  test('an import that fails part way writes nothing at all', async () => {
    const before = await mappings();
    const batches = (await t.db.query('SELECT count(*)::int AS n FROM transition.import_batches')).rows[0];
    const good = rows('/new-1,https://www.gov.uk/1\n/new-2,https://www.gov.uk/2\n/a,TNA\n');
    // A row no file can produce, in the last chunk: the database refuses it after the first chunks are written.
    const broken: ImportRow = { line: 4, path: '/broken', type: 'redirect' };
    await assert.rejects(writeImport(t.db, site, [...good, broken], { filename: 'f.csv', now: new Date(), updateExisting: true, chunkSize: 2 }), /check constraint/);
    assert.deepEqual(await mappings(), before);
    assert.deepEqual((await t.db.query('SELECT count(*)::int AS n FROM transition.import_batches')).rows[0], batches);
  });

  test('imports of many rows go in chunks', async () => {
    const csv = Array.from({ length: 2500 }, (_, i) => `/bulk/${i},https://www.gov.uk/bulk/${i}`).join('\n');
    const counts = await writeImport(t.db, site, rows(csv), { filename: 'bulk.csv', now: new Date(), chunkSize: 1000 });
    assert.equal(counts.created, 2500);
    const n = await t.db.query<{ n: number }>("SELECT count(*)::int AS n FROM transition.mappings WHERE path LIKE '/bulk/%'");
    assert.equal(n.rows[0]!.n, 2500);
  });
});
