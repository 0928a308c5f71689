import type { FastifyRequest } from 'fastify';
import { ApiError } from '../platform/api.ts';

export const AUTHENTICATED_USER_HEADER = 'Portico-Authenticated-User';
export const AUTHENTICATED_USER_NAME_HEADER = 'Portico-Authenticated-User-Name';

/** The signed-in person a calling app says a write is for; the token only says which app. */
export interface ActingUser {
  uid: string;
  /** Null when the caller gave only the uid, as GOV.UK's apps do. */
  name: string | null;
}

// Signon uids are UUIDs, but other apps may key people differently: any short run of visible ASCII will do.
const UID = /^[\x21-\x7e]{1,200}$/;
// Percent-encoding leaves only visible ASCII and space; anything else means the caller sent raw bytes.
const ENCODED = /^[\x20-\x7e]*$/;
const NAME_MAX = 500;
const CONTROL = /\p{Cc}/u;

function malformed(header: string, why: string): ApiError {
  return new ApiError(400, 'header_invalid', `The ${header} header ${why}`, { [header]: [why] });
}

function single(req: FastifyRequest, header: string): string | undefined {
  const value = req.headers[header.toLowerCase()];
  if (Array.isArray(value)) throw malformed(header, 'must be sent once');
  return value;
}

function decodeName(raw: string): string {
  if (!ENCODED.test(raw)) throw malformed(AUTHENTICATED_USER_NAME_HEADER, 'must be percent-encoded UTF-8');
  let name: string;
  try {
    name = decodeURIComponent(raw);
  } catch {
    throw malformed(AUTHENTICATED_USER_NAME_HEADER, 'is not valid percent-encoded UTF-8');
  }
  name = name.trim();
  if (!name) throw malformed(AUTHENTICATED_USER_NAME_HEADER, 'is empty');
  if (name.length > NAME_MAX) throw malformed(AUTHENTICATED_USER_NAME_HEADER, `is longer than ${NAME_MAX} characters`);
  if (CONTROL.test(name)) throw malformed(AUTHENTICATED_USER_NAME_HEADER, 'contains control characters');
  return name;
}

/**
 * The user a write is made for, from the `Portico-Authenticated-User` (uid)
 * and `Portico-Authenticated-User-Name` (percent-encoded) headers; null when
 * the caller acts for nobody but itself. Any caller allowed to write may say
 * so (docs/decisions/017-edits-attributed-to-users.md).
 */
export function actingUser(req: FastifyRequest): ActingUser | null {
  const uid = single(req, AUTHENTICATED_USER_HEADER);
  const rawName = single(req, AUTHENTICATED_USER_NAME_HEADER);
  if (uid === undefined) {
    if (rawName !== undefined) throw malformed(AUTHENTICATED_USER_NAME_HEADER, `needs the ${AUTHENTICATED_USER_HEADER} header with it`);
    return null;
  }
  if (!UID.test(uid)) throw malformed(AUTHENTICATED_USER_HEADER, 'must be 1 to 200 visible ASCII characters');
  return { uid, name: rawName === undefined ? null : decodeName(rawName) };
}
