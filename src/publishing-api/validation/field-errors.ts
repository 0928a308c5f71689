/**
 * Validation errors keyed by field, the shape of the `fields` member of a 422
 * body. A field is written the way an editor would point at it:
 * `title`, `details.body`, `routes[0].path`. Problems with the payload as a
 * whole (not an object at all) are filed under `payload`.
 */
export interface FieldErrors {
  [field: string]: string[];
}

export const WHOLE_PAYLOAD = 'payload';

/** Adds one message to a field, once: the same reason twice helps nobody. */
export function addFieldError(errors: FieldErrors, field: string, message: string): void {
  const list = (errors[field] ??= []);
  if (!list.includes(message)) list.push(message);
}

/** The first map with the second's messages added; null if both are empty. */
export function mergeFieldErrors(a: FieldErrors | null, b: FieldErrors | null): FieldErrors | null {
  if (!a) return b;
  if (!b) return a;
  const out: FieldErrors = {};
  for (const source of [a, b]) {
    for (const [field, messages] of Object.entries(source)) {
      for (const message of messages) addFieldError(out, field, message);
    }
  }
  return out;
}

const PLAIN_KEY = /^[A-Za-z_$][A-Za-z0-9_$-]*$/;

/** `routes[0].path` from a list of keys and indexes. */
export function fieldName(parts: readonly (string | number)[]): string {
  let out = '';
  for (const part of parts) {
    if (typeof part === 'number') out += `[${part}]`;
    else if (PLAIN_KEY.test(part)) out += out ? `.${part}` : part;
    // A key with dots or spaces in it would be ambiguous written dotted.
    else out += `[${JSON.stringify(part)}]`;
  }
  return out || WHOLE_PAYLOAD;
}

/**
 * The parts of a JSON pointer such as ajv's instancePath (`/routes/0/path`).
 * Digits are indexes: every object key the schemas allow starts with a letter.
 */
export function pointerParts(pointer: string): (string | number)[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((raw) => {
      const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
      return /^(0|[1-9][0-9]*)$/.test(key) ? Number(key) : key;
    });
}
