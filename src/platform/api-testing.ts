import type { FastifyInstance } from 'fastify';

/** An answer from `injectJson`. */
export interface Sent {
  status: number;
  headers: Record<string, string | string[] | number | undefined>;
  body: string;
  json: () => Record<string, any>;
}

export interface InjectOptions {
  /** Sent as `Authorization: Bearer <token>`. */
  token?: string;
  /** Sent as JSON. */
  body?: unknown;
  /** Sent as it is, in place of `body`. */
  raw?: string;
  /** Of a body (default application/json). */
  contentType?: string;
  headers?: Record<string, string>;
}

/** A request through Fastify's inject (no sockets), for tests of an API. */
export async function injectJson(app: FastifyInstance, method: 'GET' | 'HEAD' | 'PUT' | 'POST' | 'DELETE', url: string, opts: InjectOptions = {}): Promise<Sent> {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  const payload = opts.raw ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body));
  if (payload !== undefined) headers['content-type'] = opts.contentType ?? 'application/json';
  const res = await app.inject({ method, url, headers, payload });
  return { status: res.statusCode, headers: res.headers, body: res.body, json: () => JSON.parse(res.body) as Record<string, any> };
}
