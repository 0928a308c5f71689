import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { objectStoreContract } from './contract.ts';
import { openFilesObjectStore } from './files.ts';

const dir = mkdtempSync(join(tmpdir(), 'portico-objects-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

objectStoreContract('files', () => openFilesObjectStore({ root: join(dir, 'objects') }));

test('files: objects stay under the root and leave no temporary files behind', async () => {
  const root = join(dir, 'own');
  const store = await openFilesObjectStore({ root });
  await store.put('mirror/a/b.html', 'x', { contentType: 'text/html' });
  await store.put('mirror/a/b.html', 'y', { contentType: 'text/html' });
  assert.deepEqual(readdirSync(join(root, 'mirror', 'a')), ['b.html']);
  assert.deepEqual(readdirSync(`${root}.incoming`), []);
  await assert.rejects(store.put('mirror/a/b.html/c.html', 'z', { contentType: 'text/html' }), /cannot hold both a key and keys under it/);
  assert.equal((await store.get('mirror/a/b.html'))?.body.toString(), 'y');
});
