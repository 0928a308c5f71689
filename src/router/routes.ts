import { Ajv, type ErrorObject } from 'ajv';

/** A route row, as stored in `<schema>.routes` and as a line of a routes file. */
export interface RouteRecord {
  incoming_path: string;
  route_type: 'exact' | 'prefix';
  handler: 'backend' | 'redirect' | 'gone';
  backend_id?: string | null;
  redirect_to?: string | null;
  redirect_type?: 'permanent' | 'temporary' | null;
  segments_mode?: 'preserve' | 'ignore' | null;
}

/** A backend row: where a `backend_id` sends its requests. */
export interface BackendRecord {
  backend_id: string;
  backend_url: string;
}

export interface FieldError {
  field: string;
  message: string;
}

const nullable = (schema: object) => ({ anyOf: [schema, { type: 'null' }] });

const ROUTE_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['incoming_path', 'route_type', 'handler'],
  properties: {
    incoming_path: { type: 'string', minLength: 1 },
    route_type: { enum: ['exact', 'prefix'] },
    handler: { enum: ['backend', 'redirect', 'gone'] },
    backend_id: nullable({ type: 'string', pattern: '^[a-z0-9][a-z0-9-]*$' }),
    redirect_to: nullable({ type: 'string', minLength: 1 }),
    redirect_type: nullable({ enum: ['permanent', 'temporary'] }),
    segments_mode: nullable({ enum: ['preserve', 'ignore'] }),
  },
};

const BACKEND_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['backend_id', 'backend_url'],
  properties: {
    backend_id: { type: 'string', pattern: '^[a-z0-9][a-z0-9-]*$' },
    backend_url: { type: 'string' },
  },
};

const ajv = new Ajv({ allErrors: true });
const checkRoute = ajv.compile<RouteRecord>(ROUTE_SCHEMA);
const checkBackend = ajv.compile<BackendRecord>(BACKEND_SCHEMA);

function ajvErrors(errors: ErrorObject[] | null | undefined): FieldError[] {
  return (errors ?? []).map((e) => {
    const field =
      e.keyword === 'required' ? String(e.params.missingProperty)
      : e.keyword === 'additionalProperties' ? String(e.params.additionalProperty)
      : e.instancePath.replace(/^\//, '') || '(line)';
    const message =
      e.keyword === 'additionalProperties' ? 'is not a known field'
      : e.keyword === 'enum' ? `must be one of ${(e.params.allowedValues as string[]).join(', ')}`
      : e.keyword === 'anyOf' ? 'has the wrong type or value'
      : (e.message ?? 'is invalid');
    return { field, message };
  });
}

/** Problems with an incoming_path: the rules the reference's route API enforced. */
export function incomingPathErrors(path: string): string[] {
  const problems: string[] = [];
  if (!path.startsWith('/')) problems.push('must start with /');
  if (/[?#]/.test(path)) problems.push('must not contain a query or fragment');
  if (path.length > 1 && path.endsWith('/')) problems.push('must not end with /');
  if (path.includes('//')) problems.push('must not contain //');
  if (/\s/.test(path)) problems.push('must not contain white space (percent-encode it)');
  if (/%(?![0-9A-Fa-f]{2})/.test(path)) problems.push('has a malformed percent-escape');
  else {
    try {
      decodeURIComponent(path);
    } catch {
      problems.push('has a percent-escape that is not UTF-8');
    }
  }
  if (path.split('/').some((s) => s === '.' || s === '..')) problems.push('must not contain . or .. segments');
  return problems;
}

function redirectTargetErrors(target: string): string[] {
  if (target.startsWith('/')) return target.startsWith('//') ? ['must not start with // (use an absolute URL)'] : [];
  try {
    const url = new URL(target);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return ['must be a path or an http(s) URL'];
    return [];
  } catch {
    return ['must be a path starting with / or an absolute http(s) URL'];
  }
}

export function backendUrlErrors(raw: string): string[] {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return ['is not a valid HTTP URL'];
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return ['must use http or https'];
  if (url.search || url.hash) return ['must not have a query or fragment'];
  return [];
}

export function validateRoute(value: unknown): { route?: RouteRecord; errors: FieldError[] } {
  if (!checkRoute(value)) return { errors: ajvErrors(checkRoute.errors) };
  const r = value;
  const errors: FieldError[] = incomingPathErrors(r.incoming_path).map((message) => ({ field: 'incoming_path', message }));
  if (r.handler === 'backend' && !r.backend_id) errors.push({ field: 'backend_id', message: 'is required for a backend route' });
  if (r.handler !== 'backend' && r.backend_id) errors.push({ field: 'backend_id', message: `is only for backend routes, not ${r.handler}` });
  if (r.handler === 'redirect') {
    if (!r.redirect_to) errors.push({ field: 'redirect_to', message: 'is required for a redirect route' });
    else for (const message of redirectTargetErrors(r.redirect_to)) errors.push({ field: 'redirect_to', message });
    if (r.segments_mode === 'preserve' && r.redirect_to && /[?#]/.test(r.redirect_to)) {
      errors.push({ field: 'redirect_to', message: 'must not have a query or fragment when segments_mode is preserve' });
    }
  } else {
    if (r.redirect_to) errors.push({ field: 'redirect_to', message: `is only for redirect routes, not ${r.handler}` });
    if (r.segments_mode) errors.push({ field: 'segments_mode', message: 'is only for redirect routes' });
    if (r.redirect_type) errors.push({ field: 'redirect_type', message: 'is only for redirect routes' });
  }
  return errors.length ? { errors } : { route: r, errors };
}

export function validateBackend(value: unknown): { backend?: BackendRecord; errors: FieldError[] } {
  if (!checkBackend(value)) return { errors: ajvErrors(checkBackend.errors) };
  const errors = backendUrlErrors(value.backend_url).map((message) => ({ field: 'backend_url', message }));
  return errors.length ? { errors } : { backend: value, errors };
}

/** A redirect keeps the rest of the path unless told otherwise: prefix routes preserve, exact ones ignore. */
export function preservesSegments(route: Pick<RouteRecord, 'route_type' | 'segments_mode'>): boolean {
  if (route.segments_mode) return route.segments_mode === 'preserve';
  return route.route_type === 'prefix';
}
