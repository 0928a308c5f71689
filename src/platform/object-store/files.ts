import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, rename, rm, unlink } from 'node:fs/promises';
import { dirname, join, sep } from 'node:path';
import { checkKey, checkPrefix } from './keys.ts';
import type { ObjectStore, StoredObject } from './types.ts';

/**
 * Each object is one file: a JSON header line (`{"contentType": ...}`), then
 * the body. Keeping the content type in the same file as the body is what lets
 * one rename replace both at once.
 */
const FORMAT_VERSION = 1;

function encode(body: Buffer | string, contentType: string): Buffer {
  const header = Buffer.from(`${JSON.stringify({ v: FORMAT_VERSION, contentType })}\n`);
  return Buffer.concat([header, typeof body === 'string' ? Buffer.from(body) : body]);
}

function decode(file: Buffer, key: string): { body: Buffer; contentType: string } {
  const end = file.indexOf(0x0a);
  const header = end >= 0 ? (JSON.parse(file.subarray(0, end).toString()) as { v?: number; contentType?: unknown }) : undefined;
  if (!header || header.v !== FORMAT_VERSION || typeof header.contentType !== 'string') {
    throw new Error(`object ${key} is not in the files store's format (a file written by something else?)`);
  }
  return { body: file.subarray(end + 1), contentType: header.contentType };
}

const code = (err: unknown) => (err as NodeJS.ErrnoException).code;

export interface FilesObjectStoreOptions {
  /** The folder objects live under, made if missing. */
  root: string;
}

/**
 * The embedded object store: files under `root`. A put writes a temporary file
 * in a sibling folder on the same filesystem, flushes it, then renames it over
 * the object, so a reader sees the old object or the new one, never a mix.
 */
export async function openFilesObjectStore(o: FilesObjectStoreOptions): Promise<ObjectStore> {
  const root = o.root.replace(/[\\/]+$/, '');
  const incoming = `${root}.incoming`;
  await mkdir(root, { recursive: true });
  await mkdir(incoming, { recursive: true });
  const pathOf = (key: string) => join(root, ...checkKey(key).split('/'));

  async function* walk(dir: string, keyPrefix: string): AsyncIterable<string> {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (err) {
      if (code(err) === 'ENOENT' || code(err) === 'ENOTDIR') return;
      throw err;
    }
    for (const entry of entries) {
      const key = `${keyPrefix}${entry.name}`;
      if (entry.isDirectory()) yield* walk(join(dir, entry.name), `${key}/`);
      else if (entry.isFile()) yield key;
    }
  }

  return {
    kind: 'files',
    async put(key, body, { contentType }) {
      const target = pathOf(key);
      const temp = join(incoming, `${randomBytes(8).toString('hex')}.tmp`);
      const handle = await open(temp, 'w');
      try {
        await handle.writeFile(encode(body, contentType));
        // Without the flush a crash soon after the rename can leave an empty object on some filesystems.
        await handle.sync();
      } finally {
        await handle.close();
      }
      try {
        await mkdir(dirname(target), { recursive: true });
        await rename(temp, target);
      } catch (err) {
        await rm(temp, { force: true });
        if (['EEXIST', 'ENOTDIR', 'EISDIR', 'ENOTEMPTY'].includes(code(err) ?? '')) {
          throw new Error(`cannot store ${key}: a files store cannot hold both a key and keys under it as a folder (${code(err)})`);
        }
        throw err;
      }
    },
    async get(key): Promise<StoredObject | undefined> {
      let handle;
      try {
        handle = await open(pathOf(key), 'r');
      } catch (err) {
        if (code(err) === 'ENOENT' || code(err) === 'ENOTDIR') return undefined;
        throw err;
      }
      try {
        // Stat and read through one handle: both describe the same file even if a put renames over it meanwhile.
        const stat = await handle.stat();
        if (!stat.isFile()) return undefined;
        const { body, contentType } = decode(await handle.readFile(), key);
        return { body, contentType, lastModified: stat.mtime };
      } catch (err) {
        if (code(err) === 'EISDIR') return undefined;
        throw err;
      } finally {
        await handle.close();
      }
    },
    async delete(key) {
      try {
        await unlink(pathOf(key));
      } catch (err) {
        if (code(err) !== 'ENOENT' && code(err) !== 'ENOTDIR' && code(err) !== 'EISDIR') throw err;
      }
    },
    async *list(prefix) {
      checkPrefix(prefix);
      const cut = prefix.lastIndexOf('/');
      const dirKey = cut >= 0 ? prefix.slice(0, cut + 1) : '';
      const dir = dirKey === '' ? root : join(root, ...dirKey.slice(0, -1).split('/'));
      for await (const key of walk(dir, dirKey)) if (key.startsWith(prefix)) yield key;
    },
    async close() {},
  };
}

/** Where embedded mode keeps objects: `<dataDir>/objects`. */
export function filesRoot(dataDir: string): string {
  return `${dataDir.replace(/[\\/]+$/, '')}${sep}objects`;
}
