import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Pool } from 'undici';
import { sleep } from './procs.ts';

/**
 * The editor of the fan-out benchmark, in the bench process on the client CPU:
 * sequential PUT + publish of new documents through the Publishing API, each
 * polled for through the live router until it is served.
 */

const ANSWER = JSON.parse(readFileSync(new URL('../schemas/examples/answer.json', import.meta.url), 'utf8')) as Record<string, unknown>;

export interface EditorSample {
  /** Epoch ms of the publish request's start. */
  publishAt: number;
  putMs: number;
  publishMs: number;
  /** Start of the publish request to the first 200 through the router. */
  visibleMs: number;
}

/** Nearest-rank percentile of unsorted values. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length))) - 1]!;
}

export class Editor {
  private readonly api: Pool;
  private readonly router: Pool;
  private n = 0;

  constructor(
    ports: { publishingApi: number; router: number },
    private readonly token: string,
    /** The organisation the editor's documents are tagged to. */
    private readonly orgId: string,
    private readonly pollMs: number,
  ) {
    this.api = new Pool(`http://127.0.0.1:${ports.publishingApi}`, { connections: 2 });
    this.router = new Pool(`http://127.0.0.1:${ports.router}`, { connections: 2 });
  }

  async call(method: 'PUT' | 'POST', path: string, body: unknown): Promise<void> {
    const res = await this.api.request({
      method,
      path,
      headers: { authorization: `Bearer ${this.token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const text = await res.body.text();
    if (res.statusCode !== 200) throw new Error(`${method} ${path} answered ${res.statusCode}: ${text.slice(0, 400)}`);
  }

  /** The status (and body) of a GET through the live router. */
  async get(path: string): Promise<{ status: number; body: string }> {
    const res = await this.router.request({ method: 'GET', path });
    return { status: res.statusCode, body: await res.body.text() };
  }

  private async visibleAt(path: string, timeoutMs: number): Promise<number> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const sent = performance.now();
      const res = await this.router.request({ method: 'GET', path });
      await res.body.dump();
      const now = performance.now();
      if (res.statusCode === 200) return now;
      if (res.statusCode !== 404 && res.statusCode !== 503) throw new Error(`GET ${path} through the router answered ${res.statusCode} while waiting for it`);
      if (now > deadline) throw new Error(`${path} was not served by the router within ${timeoutMs} ms`);
      await sleep(Math.max(0, this.pollMs - (now - sent)));
    }
  }

  /** One new answer, tagged to the organisation: PUT, then publish while polling the router from the publish request's start. */
  async sample(tag: string, timeoutMs = 300_000): Promise<EditorSample> {
    const i = this.n++;
    const id = randomUUID();
    const path = `/fanout-editor/${tag}/doc-${i}`;
    const started = performance.now();
    await this.call('PUT', `/v2/content/${id}`, {
      ...ANSWER,
      base_path: path,
      title: `Editor's document ${i} (${tag})`,
      routes: [{ path, type: 'exact' }],
      links: { organisations: [this.orgId] },
    });
    const publishStart = performance.now();
    const publishAt = Date.now();
    let publishMs = NaN;
    const published = this.call('POST', `/v2/content/${id}/publish`, { update_type: 'major' }).then(() => (publishMs = performance.now() - publishStart));
    const [seen] = await Promise.all([this.visibleAt(path, timeoutMs), published]);
    return { publishAt, putMs: publishStart - started, publishMs, visibleMs: seen - publishStart };
  }

  /**
   * Samples one after another, each starting `intervalMs` after the previous
   * one started (or at once, if that one took longer), until `until()` is true.
   */
  async run(tag: string, intervalMs: number, until: (count: number) => boolean, onSample?: (s: EditorSample) => void): Promise<EditorSample[]> {
    const out: EditorSample[] = [];
    while (!until(out.length)) {
      const started = performance.now();
      const s = await this.sample(tag);
      out.push(s);
      onSample?.(s);
      await sleep(Math.max(0, intervalMs - (performance.now() - started)));
    }
    return out;
  }

  async close(): Promise<void> {
    await Promise.all([this.api.close(), this.router.close()]);
  }
}
