import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { eventually } from '../../../test/support/ports.ts';
import type { SessionStore } from './types.ts';

/**
 * What every SessionStore adapter must do. Signon runs on the memory store in
 * tests and embedded mode and on Redis in services mode, so a difference
 * between them would show only in production: pin it here. Keys are unique
 * to the run, so a shared Redis needs no cleaning between runs.
 */
export function sessionStoreContract(name: string, open: () => Promise<SessionStore>): void {
  describe(`SessionStore contract: ${name}`, () => {
    const run = randomBytes(4).toString('hex');
    const key = (k: string) => `test:${run}:${k}`;
    let store: SessionStore;
    before(async () => {
      store = await open();
    });
    after(() => store.close());

    test('a stored value comes back as it went in, as a copy', async () => {
      const value = { userId: 'u1', nested: { n: 1, list: ['a'] }, flag: true };
      await store.set(key('v'), value, 60_000);
      const got = await store.get<typeof value>(key('v'));
      assert.deepEqual(got, value);
      got!.nested.n = 2;
      assert.equal((await store.get<typeof value>(key('v')))!.nested.n, 1);
    });

    test('an unknown key is undefined', async () => {
      assert.equal(await store.get(key('missing')), undefined);
    });

    test('set replaces, delete removes', async () => {
      await store.set(key('r'), 'one', 60_000);
      await store.set(key('r'), 'two', 60_000);
      assert.equal(await store.get(key('r')), 'two');
      await store.delete(key('r'));
      assert.equal(await store.get(key('r')), undefined);
      await store.delete(key('r'));
    });

    test('a value expires after its time to live, and a set one renews it', async () => {
      await store.set(key('short'), 1, 150);
      await store.set(key('long'), 1, 60_000);
      assert.equal(await store.get(key('short')), 1);
      await eventually(async () => ((await store.get(key('short'))) === undefined ? true : undefined), 5000, 'the value to expire');
      assert.equal(await store.get(key('long')), 1);
    });

    test('a set collects distinct members and expires as a whole', async () => {
      await store.addToSet(key('s'), 'a', 60_000);
      await store.addToSet(key('s'), 'b', 60_000);
      await store.addToSet(key('s'), 'a', 60_000);
      assert.deepEqual((await store.members(key('s'))).sort(), ['a', 'b']);
      assert.deepEqual(await store.members(key('none')), []);
      await store.addToSet(key('gone'), 'x', 150);
      await eventually(async () => ((await store.members(key('gone'))).length === 0 ? true : undefined), 5000, 'the set to expire');
      await store.delete(key('s'));
      assert.deepEqual(await store.members(key('s')), []);
    });

    test('ping answers while the store is up', async () => {
      await store.ping();
    });
  });
}
