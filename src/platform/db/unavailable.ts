/** SQLSTATEs of a server that ended the session: admin_shutdown, crash_shutdown, idle_session_timeout. */
const SESSION_ENDED = new Set(['57P01', '57P02', '57P05']);

/** SQLSTATEs of a server that takes no connection now: cannot_connect_now (starting or stopping), too_many_connections. */
const REFUSING = new Set(['57P03', '53300']);

/** Socket errors of a server that cannot be reached, or that went away. */
const UNREACHABLE = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

/**
 * What node-postgres, its pool and PGlite say when there is no usable connection:
 * a connection that ended or timed out, a client or pool already closed.
 */
const NO_CONNECTION = [
  /^Connection terminated/,
  /not queryable/,
  /^timeout exceeded when trying to connect/,
  /^Cannot use a pool after calling end/,
  /^PGlite is clos(ed|ing)/,
];

function parts(err: unknown): { code?: unknown; message?: unknown } {
  return typeof err === 'object' && err !== null ? (err as { code?: unknown; message?: unknown }) : {};
}

/**
 * The connection went away under the statement, as opposed to the statement
 * itself failing: the PostgreSQL adapter runs such a statement again on another
 * pooled connection.
 */
export function connectionLost(err: unknown): boolean {
  const { code, message } = parts(err);
  if (typeof code === 'string' && (SESSION_ENDED.has(code) || code === 'ECONNRESET' || code === 'EPIPE')) return true;
  return typeof message === 'string' && /^Connection terminated|not queryable/.test(message);
}

function unavailable(err: unknown): boolean {
  if (connectionLost(err)) return true;
  const { code, message } = parts(err);
  if (typeof code === 'string' && (REFUSING.has(code) || UNREACHABLE.has(code) || code.startsWith('08'))) return true;
  return typeof message === 'string' && NO_CONNECTION.some((re) => re.test(message));
}

/**
 * Whether `err` says the database cannot be reached now (refused, dropped,
 * timed out, closed) rather than that a statement was wrong: the answer to
 * such a request is 503 and a retry, not 500. Looks through `cause` and the
 * errors of an AggregateError (what a connect to several addresses rejects with).
 */
export function isDatabaseUnavailable(err: unknown, depth = 0): boolean {
  if (depth > 5 || typeof err !== 'object' || err === null) return false;
  if (unavailable(err)) return true;
  const { cause, errors } = err as { cause?: unknown; errors?: unknown };
  if (isDatabaseUnavailable(cause, depth + 1)) return true;
  return Array.isArray(errors) && errors.some((e) => isDatabaseUnavailable(e, depth + 1));
}
