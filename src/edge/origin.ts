import type { IncomingMessage } from 'node:http';
import { Pool } from 'undici';
import type { ResponseHeaders } from './cache-policy.ts';
import { REQUEST_ID_HEADER } from '../platform/log.ts';

export interface OriginOptions {
  /** The live router, or whatever serves the site behind the edge. */
  url: string;
  /** Keep-alive connections kept to origin. */
  connections?: number;
  /** Milliseconds to connect (5 s, as GOV.UK's CDN gives origin). */
  connectTimeoutMs?: number;
  /** Milliseconds to the response head (15 s). */
  headersTimeoutMs?: number;
  /** Milliseconds between body bytes (10 s). */
  bodyTimeoutMs?: number;
}

export interface OriginResponse {
  status: number;
  headers: ResponseHeaders;
  body: Buffer;
  /** Milliseconds from asking to having the whole body. */
  ms: number;
}

/** Request fields never forwarded: hop-by-hop ones and those the edge sets. */
const HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'proxy-authorization', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'host', 'expect', REQUEST_ID_HEADER]);
/**
 * Also dropped on a fetch whose answer may be shared: a cookie or credential
 * must not shape a page another visitor gets, the edge compresses for itself,
 * and it wants the whole body, not a 304 or a range.
 */
const PRIVATE_OR_PARTIAL = new Set(['cookie', 'authorization', 'accept-encoding', 'if-none-match', 'if-modified-since', 'if-match', 'if-unmodified-since', 'if-range', 'range']);

/**
 * The request fields origin is sent, as a flat list: the client's (less the
 * above), who asked for which host (X-Forwarded-*), and the request id.
 */
export function originRequestFields(req: IncomingMessage, requestId: string, shared: boolean): string[] {
  const raw = req.rawHeaders;
  const out: string[] = [];
  let host = '';
  let forwardedFor = '';
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!.toLowerCase();
    if (name === 'host') host = raw[i + 1]!;
    if (name === 'x-forwarded-for') {
      forwardedFor = forwardedFor ? `${forwardedFor}, ${raw[i + 1]}` : raw[i + 1]!;
      continue;
    }
    if (name === 'x-forwarded-host') continue;
    if (HOP.has(name) || (shared && PRIVATE_OR_PARTIAL.has(name))) continue;
    out.push(name, raw[i + 1]!);
  }
  const client = req.socket.remoteAddress ?? '';
  out.push('x-forwarded-for', forwardedFor ? `${forwardedFor}, ${client}` : client);
  if (host) out.push('x-forwarded-host', host);
  out.push(REQUEST_ID_HEADER, requestId);
  return out;
}

/** A keep-alive pool to origin. */
export function createOrigin(o: OriginOptions): { pool: Pool; fetch(method: string, path: string, fields: string[]): Promise<OriginResponse>; close(): Promise<void> } {
  const pool = new Pool(o.url, {
    connections: o.connections ?? 64,
    connectTimeout: o.connectTimeoutMs ?? 5000,
    headersTimeout: o.headersTimeoutMs ?? 15_000,
    bodyTimeout: o.bodyTimeoutMs ?? 10_000,
    keepAliveTimeout: 30_000,
  });
  return {
    pool,
    /** The whole response; rejects when origin cannot be reached or stops mid-answer. */
    async fetch(method, path, fields) {
      const started = performance.now();
      const res = await pool.request({ method, path, headers: fields });
      const chunks: Buffer[] = [];
      for await (const chunk of res.body) chunks.push(chunk as Buffer);
      return { status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks), ms: performance.now() - started };
    },
    close: () => pool.close(),
  };
}
