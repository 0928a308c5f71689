/** A key the store refuses: it names why, so a caller's bug shows at once. */
export class InvalidObjectKeyError extends TypeError {
  constructor(key: string, reason: string) {
    super(`invalid object key ${JSON.stringify(key)}: ${reason}`);
    this.name = 'InvalidObjectKeyError';
  }
}

/**
 * Checks a key against the rules both adapters share: `/`-separated segments,
 * none empty, `.` or `..`, no leading `/`. The files adapter maps a key to a
 * path under its root, so these rules are what keep a key inside it.
 */
export function checkKey(key: string): string {
  if (typeof key !== 'string' || key === '') throw new InvalidObjectKeyError(String(key), 'must be a non-empty string');
  if (key.startsWith('/')) throw new InvalidObjectKeyError(key, 'must not start with /');
  if (key.includes('\0') || key.includes('\\')) throw new InvalidObjectKeyError(key, 'must not hold NUL or backslash');
  if (Buffer.byteLength(key) > 1024) throw new InvalidObjectKeyError(key, 'must be at most 1024 bytes');
  for (const segment of key.split('/')) {
    if (segment === '') throw new InvalidObjectKeyError(key, 'must not hold an empty segment (// or a trailing /)');
    if (segment === '.' || segment === '..') throw new InvalidObjectKeyError(key, 'must not hold . or .. segments');
  }
  return key;
}

/** A list prefix: empty, or a key's beginning (a trailing `/` allowed). */
export function checkPrefix(prefix: string): string {
  if (prefix === '') return prefix;
  checkKey(prefix.endsWith('/') ? prefix.slice(0, -1) : prefix);
  return prefix;
}
