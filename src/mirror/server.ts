import { createServer, type Server } from 'node:http';
import type { ObjectStore } from '../platform/object-store/index.ts';
import { drain, listen, runChecks, type HealthCheck } from '../platform/http.ts';
import type { Logger } from '../platform/log.ts';
import { bucketKey, MIRROR_PREFIX } from './layout.ts';

export interface MirrorServerOptions {
  store: ObjectStore;
  log: Logger;
  /** Seconds a cache may keep a mirrored response (900, as GOV.UK's CDN gives mirror responses without headers). */
  maxAgeSeconds?: number;
  shutdownTimeoutMs?: number;
}

const text = (status: number, body: string) => ({ status, headers: { 'content-type': 'text/plain; charset=utf-8' }, body });

/**
 * Serves the mirror as a static bucket does, for a CDN's failover backend
 * (Varnish asks for `/index.html` or `/guidance/x.html`, as it would ask S3):
 * the object named by the path, with its content type, or 404.
 */
export function createMirrorServer(o: MirrorServerOptions) {
  const maxAge = o.maxAgeSeconds ?? 900;
  const readiness: HealthCheck[] = [
    // A read of a key that may not exist still proves the store answers.
    { name: 'object_store', check: async () => void (await o.store.get(`${MIRROR_PREFIX}index.html`)) },
  ];

  const server: Server = createServer(async (req, res) => {
    const target = req.url ?? '/';
    const path = target.split('?')[0]!;
    const head = req.method === 'HEAD';
    try {
      if (req.method !== 'GET' && !head) {
        res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' });
        return void res.end('Method not allowed\n');
      }
      if (path === '/healthcheck/live') return void res.writeHead(200, { 'content-type': 'application/json' }).end(head ? undefined : '{"status":"ok"}');
      if (path === '/healthcheck/ready') {
        const { ok, checks } = await runChecks(readiness);
        res.writeHead(ok ? 200 : 503, { 'content-type': 'application/json' });
        return void res.end(head ? undefined : JSON.stringify({ status: ok ? 'ok' : 'unavailable', checks }));
      }
      const key = bucketKey(path);
      const object = key ? await o.store.get(key) : undefined;
      if (!object) {
        const { status, headers, body } = text(404, 'Not in the mirror\n');
        res.writeHead(status, headers);
        return void res.end(head ? undefined : body);
      }
      res.writeHead(200, {
        'content-type': object.contentType,
        'content-length': object.body.length,
        'last-modified': object.lastModified.toUTCString(),
        'cache-control': `max-age=${maxAge}`,
      });
      res.end(head ? undefined : object.body);
    } catch (err) {
      o.log.error({ err, target }, 'mirror server: cannot read the object store');
      if (res.headersSent) return void res.destroy();
      const { status, headers, body } = text(503, 'The mirror cannot be read now\n');
      res.writeHead(status, headers);
      res.end(head ? undefined : body);
    }
  });

  return {
    start: (port: number, host: string) => listen(server, port, host),
    stop: () => drain(server, o.shutdownTimeoutMs ?? 5000),
  };
}
