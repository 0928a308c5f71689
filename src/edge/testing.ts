// A fake origin the edge's tests can script, count, hold and kill, and a
// client that shows exactly what the edge sent (no decompression, no
// connection reuse between requests).
import { createServer, request, type IncomingHttpHeaders, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Reply {
  status?: number;
  headers?: Record<string, string | string[]>;
  body?: string | Buffer;
}

export interface FakeOrigin {
  readonly url: string;
  readonly port: number;
  /** What each target (path and query as origin sees it) answers; unknown targets get 404. */
  replies: Map<string, Reply | ((req: IncomingMessage, body: string) => Reply)>;
  /** Requests by target, in arrival order, with their fields. */
  seen: { method: string; target: string; headers: IncomingHttpHeaders; body: string }[];
  count(target: string): number;
  /** Holds every answer (made when its request arrives) until the returned function is called. */
  hold(): () => void;
  /** Stops listening and cuts open connections: origin gone. */
  kill(): Promise<void>;
  /** Listens again on the same port. */
  revive(): Promise<void>;
}

export async function startFakeOrigin(): Promise<FakeOrigin> {
  const replies: FakeOrigin['replies'] = new Map();
  const seen: FakeOrigin['seen'] = [];
  let held: Promise<void> | undefined;
  let server: Server;
  let port = 0;
  const listen = async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', async () => {
        const body = Buffer.concat(chunks).toString();
        seen.push({ method: req.method ?? 'GET', target: req.url ?? '/', headers: req.headers, body });
        // Made on arrival, sent once released: a held answer is what origin had when asked.
        const scripted = replies.get(req.url ?? '/');
        const reply = typeof scripted === 'function' ? scripted(req, body) : scripted ?? { status: 404, body: 'origin: not found' };
        if (held) await held;
        res.writeHead(reply.status ?? 200, { 'content-type': 'text/plain; charset=utf-8', ...reply.headers });
        res.end(reply.body ?? '');
      });
    });
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  };
  await listen();
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    replies,
    seen,
    count: (target) => seen.filter((s) => s.target === target).length,
    hold() {
      let release!: () => void;
      held = new Promise<void>((r) => (release = r));
      return () => {
        held = undefined;
        release();
      };
    },
    async kill() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
    revive: listen,
  };
}

export interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  text: string;
}

/** One request to the edge on a fresh connection. */
export function ask(port: number, path: string, o: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: o.method ?? 'GET', headers: { host: 'localhost', ...o.headers }, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, text: body.toString() });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(o.body);
  });
}
