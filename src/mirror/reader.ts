import type { ObjectStore } from '../platform/object-store/index.ts';
import { mirrorKey } from './layout.ts';
import type { MirrorReader } from './types.ts';

/** The edge's view of the mirror: a public path's saved copy, read from the object store. */
export function createMirrorReader(store: ObjectStore): MirrorReader {
  return {
    async read(path) {
      const key = mirrorKey(path);
      if (!key) return undefined;
      const object = await store.get(key);
      return object && { body: object.body, contentType: object.contentType, savedAt: object.lastModified };
    },
  };
}
