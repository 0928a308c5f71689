import type { IncomingMessage } from 'node:http';
import { ApiError } from '../platform/api.ts';
import { bearerToken } from '../platform/auth.ts';
import type { Queryable } from '../platform/db/index.ts';
import type { Sso } from '../platform/sso/client.ts';
import type { DraftContent } from './content-access.ts';
import { isAuthBypassId, type PreviewTokens } from './preview-tokens.ts';
import { revokeBefore } from './revocations.ts';

export const PREVIEW_LINKS_PATH = '/api/preview-links';
/** The permission, in the publisher app, that lets a caller make and revoke preview links. */
export const EDITOR = 'editor';

const MAX_BODY_BYTES = 16 * 1024;

export interface PreviewLinksDeps {
  sso: Sso;
  tokens: PreviewTokens;
  content: DraftContent;
  db: Queryable;
  /** The proxy's public origin: links are made on it. */
  publicUrl: string;
  now: () => number;
}

export interface JsonAnswer {
  status: number;
  body: unknown;
}

/**
 * Callers present a signon access token issued to the publisher app (an API
 * user's, or the editor's own that the publisher forwards); signon's
 * `/user.json` must list `editor` among its permissions.
 */
async function requireEditor(sso: Sso, req: IncomingMessage): Promise<void> {
  const token = bearerToken(req.headers.authorization);
  if (!token) throw new ApiError(401, 'unauthenticated', 'Send a signon bearer token: Authorization: Bearer <token>');
  const user = await sso.bearerUser(token);
  if (!user) throw new ApiError(401, 'unauthenticated', 'Signon does not recognise the bearer token');
  if (!user.permissions.includes(EDITOR)) throw new ApiError(403, 'forbidden', `The token's user lacks the publisher ${EDITOR} permission`);
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  if (!/^application\/json\b/i.test(req.headers['content-type'] ?? '')) throw new ApiError(415, 'unsupported_media_type', 'Send the body as application/json');
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new ApiError(413, 'payload_too_large', `The body is larger than ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk);
  }
  let body: unknown;
  try {
    body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new ApiError(400, 'malformed_json', 'The body is not valid JSON');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new ApiError(422, 'body_invalid', 'The body must be a JSON object', { '(body)': ['must be an object'] });
  return body as Record<string, unknown>;
}

/**
 * `POST /api/preview-links` {base_path, content_id?, auth_bypass_id?}: a link
 * that opens the draft at base_path. The draft content store says which
 * document that is and its auth bypass ids; a content_id or auth_bypass_id
 * given must agree with it.
 */
async function create(deps: PreviewLinksDeps, req: IncomingMessage, requestId: string): Promise<JsonAnswer> {
  const body = await readJson(req);
  const fields: Record<string, string[]> = {};
  const basePath = body.base_path;
  if (typeof basePath !== 'string' || !basePath.startsWith('/') || basePath.startsWith('//') || /[\s?#]/.test(basePath)) fields.base_path = ['must be a path such as /keeping-bees'];
  if (body.content_id !== undefined && typeof body.content_id !== 'string') fields.content_id = ['must be a string'];
  if (body.auth_bypass_id !== undefined && !isAuthBypassId(body.auth_bypass_id)) fields.auth_bypass_id = ['must be an auth bypass id'];
  if (Object.keys(fields).length) throw new ApiError(422, 'validation_failed', 'The request has invalid fields', fields);

  const item = await deps.content.itemFor(basePath as string, requestId);
  if (item.kind === 'unavailable') throw new ApiError(503, 'content_store_unavailable', 'The draft content store cannot be reached; try again shortly');
  if (item.kind === 'none') throw new ApiError(422, 'validation_failed', 'There is no draft there', { base_path: ['has no draft in the draft content store'] });
  if (body.content_id !== undefined && body.content_id !== item.content_id) {
    throw new ApiError(422, 'validation_failed', 'The draft at base_path is another document', { content_id: [`does not match the draft at ${item.base_path}`] });
  }
  const authBypassId = (body.auth_bypass_id as string | undefined) ?? item.auth_bypass_ids[0];
  if (authBypassId === undefined || !item.auth_bypass_ids.includes(authBypassId)) {
    const message = body.auth_bypass_id === undefined ? 'the draft has no auth bypass id' : 'is not one of the draft’s auth_bypass_ids';
    throw new ApiError(422, 'validation_failed', 'The draft cannot be opened with that auth bypass id', { auth_bypass_id: [message] });
  }
  const { token, expiresAt } = await deps.tokens.issue(authBypassId, item.content_id);
  const url = `${deps.publicUrl}${basePath as string}?token=${encodeURIComponent(token)}`;
  return { status: 201, body: { url, token, expires_at: expiresAt.toISOString(), auth_bypass_id: authBypassId, content_id: item.content_id } };
}

/** `DELETE /api/preview-links/<auth_bypass_id>`: every link to the document made until now stops working. */
async function revoke(deps: PreviewLinksDeps, raw: string): Promise<JsonAnswer> {
  let id: string;
  try {
    id = decodeURIComponent(raw);
  } catch {
    id = '';
  }
  if (!isAuthBypassId(id)) throw new ApiError(422, 'validation_failed', 'Name an auth bypass id', { auth_bypass_id: ['must be an auth bypass id'] });
  const revokedBefore = await revokeBefore(deps.db, id, new Date(deps.now()));
  return { status: 200, body: { auth_bypass_id: id, revoked_before: revokedBefore.toISOString() } };
}

/** The preview-link API, for paths under PREVIEW_LINKS_PATH. Throws ApiError for the caller to answer. */
export async function previewLinks(deps: PreviewLinksDeps, req: IncomingMessage, path: string, requestId: string): Promise<JsonAnswer> {
  const rest = path.slice(PREVIEW_LINKS_PATH.length);
  const method = req.method ?? 'GET';
  const allowed = rest === '' ? 'POST' : /^\/[^/]+$/.test(rest) ? 'DELETE' : undefined;
  if (!allowed) throw new ApiError(404, 'not_found', `No endpoint ${method} ${path}`);
  if (method !== allowed) throw new ApiError(405, 'method_not_allowed', `Use ${allowed} on ${path}`);
  await requireEditor(deps.sso, req);
  return allowed === 'POST' ? create(deps, req, requestId) : revoke(deps, rest.slice(1));
}
