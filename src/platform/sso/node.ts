import type { IncomingMessage, ServerResponse } from 'node:http';
import { AUTH_PATHS, SsoUnavailableError, type Sso, type SsoAnswer } from './client.ts';

/** Writes an answer of the sign-in flow on a node:http response. */
export function sendSsoAnswer(res: ServerResponse, answer: SsoAnswer, headers: Record<string, string> = {}): void {
  const body = answer.body ?? '';
  res.writeHead(answer.status, {
    ...headers,
    'cache-control': 'no-store',
    'content-type': 'text/plain; charset=utf-8',
    'content-length': String(Buffer.byteLength(body)),
    ...(answer.location ? { location: answer.location } : {}),
    ...(answer.setCookie.length ? { 'set-cookie': answer.setCookie } : {}),
  });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}

/**
 * Answers `/auth/login`, `/auth/callback` and `/auth/logout` on a plain
 * node:http server; false for any other path, which the caller then handles.
 */
export async function handleAuthRoute(sso: Sso, request: IncomingMessage, res: ServerResponse, headers: Record<string, string> = {}): Promise<boolean> {
  const url = new URL(request.url ?? '/', 'http://app');
  let answer: SsoAnswer;
  try {
    switch (url.pathname) {
      case AUTH_PATHS.login:
        answer = await sso.login(url.searchParams.get('return_to') ?? '/');
        break;
      case AUTH_PATHS.callback:
        answer = await sso.callback(request.url ?? '/', request);
        break;
      case AUTH_PATHS.logout:
        answer = await sso.logout(request);
        break;
      default:
        return false;
    }
  } catch (err) {
    if (!(err instanceof SsoUnavailableError)) throw err;
    answer = { status: 503, body: 'Signing in is not possible right now; signon cannot be reached. Try again shortly.\n', setCookie: [] };
  }
  sendSsoAnswer(res, answer, headers);
  return true;
}
