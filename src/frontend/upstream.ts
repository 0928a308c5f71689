import { Agent, request } from 'undici';
import { REQUEST_ID_HEADER } from '../platform/log.ts';

/** An upstream service's answer, read whole; `status` 0 when it could not be reached or timed out. */
export interface UpstreamResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
  /** Why the call failed, when status is 0. */
  error?: string;
}

export interface Upstream {
  get(url: string, requestId?: string, headers?: Record<string, string>): Promise<UpstreamResponse>;
  close(): Promise<void>;
}

const TIMEOUTS = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'ETIMEDOUT']);
const REFUSALS = new Set(['ECONNREFUSED', 'ECONNRESET', 'UND_ERR_SOCKET', 'EPIPE', 'EHOSTUNREACH', 'ENOTFOUND']);

/** Why a call failed, led by what an operator acts on: under overload a timeout and a refusal call for different fixes. */
export function failureOf(err: unknown): string {
  const e = err as { code?: string; message?: string; cause?: { code?: string } };
  const code = e.code ?? e.cause?.code;
  const kind = code && TIMEOUTS.has(code) ? 'timeout' : code && REFUSALS.has(code) ? 'connection failed' : 'error';
  return `${kind}${code ? ` (${code})` : ''}: ${e.message ?? String(err)}`;
}

/**
 * A keep-alive JSON client for the services a page is built from. A page
 * waits for it, so every call has a deadline, and failure is an answer
 * (status 0) rather than an exception: the page decides what to show.
 */
export function createUpstream(timeoutMs: number): Upstream {
  const agent = new Agent({ connect: { timeout: timeoutMs }, headersTimeout: timeoutMs, bodyTimeout: timeoutMs, keepAliveTimeout: 10_000 });
  return {
    async get(url, requestId, headers) {
      try {
        const res = await request(url, {
          dispatcher: agent,
          headers: { accept: 'application/json', ...headers, ...(requestId ? { [REQUEST_ID_HEADER]: requestId } : {}) },
        });
        const text = await res.body.text();
        let body: unknown;
        try {
          body = text ? JSON.parse(text) : undefined;
        } catch {
          body = undefined;
        }
        return { status: res.statusCode, headers: res.headers, body };
      } catch (err) {
        return { status: 0, headers: {}, body: undefined, error: failureOf(err) };
      }
    },
    close: () => agent.close(),
  };
}
