import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { InvalidObjectKeyError } from './keys.ts';
import type { ObjectStore } from './types.ts';

async function collect(iterable: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const key of iterable) out.push(key);
  return out.sort();
}

/**
 * What every ObjectStore adapter must do. The mirror and the fronts run on the
 * files store embedded and on S3 in services mode, so a difference would show
 * only in production: pin it here. Keys live under a prefix unique to the run,
 * so a shared bucket needs no cleaning between runs.
 */
export interface ContractOptions {
  /** Why this server cannot show what the adapter promises about concurrent replacement, if it cannot. */
  replaceNotAtomic?: string;
}

export function objectStoreContract(name: string, open: () => Promise<ObjectStore>, options: ContractOptions = {}): void {
  describe(`ObjectStore contract: ${name}`, () => {
    const run = `test-${randomBytes(4).toString('hex')}`;
    const key = (k: string) => `${run}/${k}`;
    let store: ObjectStore;
    before(async () => {
      store = await open();
    });
    after(() => store.close());

    test('an object comes back with its bytes, content type and time of writing', async () => {
      const body = Buffer.from([0, 1, 2, 255, 10, 13, 0x7b]);
      const before = Date.now();
      await store.put(key('bin/data.bin'), body, { contentType: 'application/octet-stream' });
      const got = await store.get(key('bin/data.bin'));
      assert.ok(got);
      assert.deepEqual(got.body, body);
      assert.equal(got.contentType, 'application/octet-stream');
      // S3 keeps whole seconds.
      assert.ok(Math.abs(got.lastModified.getTime() - before) < 60_000, `lastModified ${got.lastModified.toISOString()} is not about now`);
    });

    test('a string is stored as UTF-8, and an empty body is an object too', async () => {
      await store.put(key('text/café.html'), '<p>Café – ünïcode</p>', { contentType: 'text/html; charset=utf-8' });
      const got = await store.get(key('text/café.html'));
      assert.equal(got?.body.toString('utf8'), '<p>Café – ünïcode</p>');
      assert.equal(got?.contentType, 'text/html; charset=utf-8');
      await store.put(key('text/empty.txt'), '', { contentType: 'text/plain' });
      assert.equal((await store.get(key('text/empty.txt')))?.body.length, 0);
    });

    test('keys with spaces, plus signs and percent signs are kept exactly', async () => {
      for (const k of ['odd/a b.html', 'odd/a+b.html', 'odd/100%25.html', 'odd/x?y=1']) {
        await store.put(key(k), k, { contentType: 'text/plain' });
        assert.equal((await store.get(key(k)))?.body.toString(), k, k);
      }
      assert.deepEqual(await collect(store.list(key('odd/'))), ['odd/100%25.html', 'odd/a b.html', 'odd/a+b.html', 'odd/x?y=1'].map(key).sort());
    });

    test('a put replaces the body and the content type together', async () => {
      await store.put(key('r/page.html'), 'one', { contentType: 'text/html' });
      await store.put(key('r/page.html'), '{"two":2}', { contentType: 'application/json' });
      const got = await store.get(key('r/page.html'));
      assert.equal(got?.body.toString(), '{"two":2}');
      assert.equal(got?.contentType, 'application/json');
    });

    test('a missing object is undefined; delete removes one and ignores a missing one', async () => {
      assert.equal(await store.get(key('missing.html')), undefined);
      await store.put(key('d/gone.html'), 'x', { contentType: 'text/html' });
      await store.delete(key('d/gone.html'));
      assert.equal(await store.get(key('d/gone.html')), undefined);
      await store.delete(key('d/gone.html'));
      await store.delete(key('never/was.html'));
    });

    test('list gives every key under a prefix, nested ones too, and nothing else', async () => {
      const keys = ['l/a.html', 'l/b/index.html', 'l/b/c/d.css', 'l/bb.html', 'm/a.html'];
      for (const k of keys) await store.put(key(k), k, { contentType: 'text/plain' });
      assert.deepEqual(await collect(store.list(key('l/'))), ['l/a.html', 'l/b/c/d.css', 'l/b/index.html', 'l/bb.html'].map(key));
      assert.deepEqual(await collect(store.list(key('l/b'))), ['l/b/c/d.css', 'l/b/index.html', 'l/bb.html'].map(key), 'a prefix may end inside a segment');
      assert.deepEqual(await collect(store.list(key('nothing-here/'))), []);
    });

    test('a reader sees the old object or the new one, never a mix', { skip: options.replaceNotAtomic }, async () => {
      const a = Buffer.alloc(512 * 1024, 'a');
      const b = Buffer.alloc(256 * 1024, 'b');
      await store.put(key('swap/page.html'), a, { contentType: 'text/a' });
      let writing = true;
      const writer = (async () => {
        for (let i = 0; i < 10; i++) await store.put(key('swap/page.html'), i % 2 ? a : b, { contentType: i % 2 ? 'text/a' : 'text/b' });
        writing = false;
      })();
      let reads = 0;
      while (writing || reads < 5) {
        const got = await store.get(key('swap/page.html'));
        assert.ok(got, 'the object never disappears while it is replaced');
        const expected = got.contentType === 'text/a' ? a : b;
        assert.ok(got.body.equals(expected), `read ${reads}: ${got.contentType} with a body of ${got.body.length} bytes`);
        reads++;
      }
      await writer;
    });

    test('keys that could escape the store or mean nothing are refused', async () => {
      for (const bad of ['', '/abs.html', '../up.html', `${run}/../up.html`, `${run}//x.html`, `${run}/./x.html`, `${run}/dir/`, 'a\\b']) {
        await assert.rejects(store.put(bad, 'x', { contentType: 'text/plain' }), InvalidObjectKeyError, `put ${JSON.stringify(bad)}`);
        await assert.rejects(store.get(bad), InvalidObjectKeyError, `get ${JSON.stringify(bad)}`);
        await assert.rejects(store.delete(bad), InvalidObjectKeyError, `delete ${JSON.stringify(bad)}`);
      }
      await assert.rejects(collect(store.list('../')), InvalidObjectKeyError);
    });
  });
}
