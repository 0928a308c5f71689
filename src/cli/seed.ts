import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { request } from 'undici';

/** One demo document: its content as an editor would PUT it, and whether to publish it. */
interface DemoDocument {
  content_id: string;
  content: Record<string, unknown>;
  /** The update_type to publish with; absent leaves the document as a draft. */
  publish?: 'major' | 'minor';
}

export const DEMO_CONTENT = fileURLToPath(new URL('../../demo/content.json', import.meta.url));

export class SeedError extends Error {}

/**
 * Loads the demo documents through the Publishing API, as a publishing app
 * would: PUT each draft, then publish those meant to be live. Running it again
 * makes new drafts of the same documents and republishes them.
 */
export async function seedDemoContent(apiUrl: string, token: string, file = DEMO_CONTENT): Promise<{ drafts: number; published: number }> {
  const documents = JSON.parse(readFileSync(file, 'utf8')) as DemoDocument[];
  const base = apiUrl.replace(/\/$/, '');
  const call = async (method: 'PUT' | 'POST', path: string, body: unknown) => {
    const res = await request(`${base}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const text = await res.body.text();
    if (res.statusCode !== 200) throw new SeedError(`${method} ${path} answered ${res.statusCode}: ${text}`);
    const parsed = JSON.parse(text) as { warnings?: { content_store?: string[] } };
    if (parsed.warnings?.content_store) throw new SeedError(`${method} ${path}: ${parsed.warnings.content_store.join('; ')}`);
  };
  let published = 0;
  for (const doc of documents) {
    await call('PUT', `/v2/content/${doc.content_id}`, doc.content);
    if (doc.publish) {
      await call('POST', `/v2/content/${doc.content_id}/publish`, { update_type: doc.publish });
      published++;
    }
  }
  return { drafts: documents.length - published, published };
}
