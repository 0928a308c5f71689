import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import Fastify, { LogController, type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { bearerToken, type Authenticate, type Principal } from './auth.ts';
import { isDatabaseUnavailable } from './db/unavailable.ts';
import { runChecks, type HealthCheck } from './http.ts';
import { forRequest, REQUEST_ID_HEADER, type Logger } from './log.ts';

/** Which fields failed and why, e.g. `{"title": ["is required"]}`. */
export type FieldErrors = Record<string, string[]>;

/**
 * An error an API answers with `{"error": {"code", "message", "fields"?}}`:
 * `code` is a stable machine-readable name, `message` is for people.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly fields?: FieldErrors,
    /** Extra members of the error object, e.g. the current lock_version on a 409. */
    readonly extra?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  toJSON() {
    return { error: { code: this.code, message: this.message, ...(this.fields ? { fields: this.fields } : {}), ...this.extra } };
  }
}

export interface ApiOptions {
  /** The service name, in logs and metric labels. */
  name: string;
  log: Logger;
  /** Readiness beyond "the process answers", e.g. a database ping. */
  readiness?: HealthCheck[];
  /** Largest request body accepted, in bytes (default 4 MiB). */
  bodyLimit?: number;
}

export interface Api {
  app: FastifyInstance;
  /** This app's own registry, so that several services can share a process. */
  metrics: Registry;
}

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
}

// A caller's request id is logged and echoed only if it looks like one.
const REQUEST_ID = /^[A-Za-z0-9._:@/+=-]{1,200}$/;

/** The caller's `Portico-Request-Id` when it looks like one, else a new UUID. */
export function requestId(req: IncomingMessage): string {
  const given = req.headers[REQUEST_ID_HEADER];
  return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
}

/** How long a client is asked to wait (Retry-After) before trying a 503 again, in seconds. */
const RETRY_AFTER_SECONDS = 5;

function fieldFromValidation(e: { instancePath?: string; params?: Record<string, unknown> }): string {
  const path = (e.instancePath ?? '').replace(/^\//, '').replace(/\/(\d+)(?=\/|$)/g, '[$1]').replace(/\//g, '.');
  const missing = e.params?.missingProperty ?? e.params?.additionalProperty;
  if (typeof missing === 'string') return path ? `${path}.${missing}` : missing;
  return path || '(body)';
}

/** An error the client caused, or one thrown as an ApiError, in the API's terms; undefined for anything else. */
function clientError(err: FastifyError | Error): ApiError | undefined {
  if (err instanceof ApiError) return err;
  const e = err as FastifyError;
  if (e.validation) {
    const fields: FieldErrors = {};
    for (const v of e.validation) (fields[fieldFromValidation(v)] ??= []).push(v.message ?? 'is invalid');
    return new ApiError(422, 'validation_failed', 'The request has invalid fields', fields);
  }
  switch (e.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new ApiError(400, 'malformed_json', e.message);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new ApiError(415, 'unsupported_media_type', 'Send the body as application/json');
    case 'FST_ERR_BAD_URL':
      return new ApiError(400, 'bad_request', 'The URL is malformed: a bad percent-escape or character');
  }
  const status = e.statusCode;
  if (status && status >= 400 && status < 500) return new ApiError(status, status === 413 ? 'payload_too_large' : 'bad_request', e.message);
  return undefined;
}

/** Answers any error in the one error shape; only the unexpected ones are 500. */
function sendError(err: FastifyError | Error, req: FastifyRequest, reply: FastifyReply): FastifyReply {
  let answer = clientError(err);
  if (!answer && isDatabaseUnavailable(err)) {
    req.log.warn({ err }, 'database unavailable');
    reply.header('retry-after', String(RETRY_AFTER_SECONDS));
    answer = new ApiError(503, 'database_unavailable', 'The database cannot be reached now; try again shortly');
  }
  if (!answer) {
    req.log.error({ err }, 'unhandled error');
    answer = new ApiError(500, 'internal_error', 'Something went wrong; the request id is in the Portico-Request-Id header');
  }
  return reply.status(answer.status).type('application/json; charset=utf-8').send(answer.toJSON());
}

const READS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * A Fastify app with what every Portico API shares: the request id on every
 * log line and response, one error shape, bearer-token checks (see
 * `requirePermission`), request logging, health checks and Prometheus metrics.
 * Only application/json bodies are parsed; any other is 415.
 */
export function createApi(opts: ApiOptions): Api {
  const app = Fastify({
    loggerInstance: opts.log,
    // Requests are logged by the onResponse hook below, at a level by method.
    logController: new LogController({ disableRequestLogging: true }),
    genReqId: requestId,
    // Every line a request logs carries its request id, as the platform's forRequest names it.
    childLoggerFactory: (logger, bindings) => forRequest(logger as Logger, String(bindings.reqId)),
    // A URL the router cannot decode never reaches the hooks: echo the request id here.
    frameworkErrors: (err, req, reply) => {
      reply.header(REQUEST_ID_HEADER, req.id);
      sendError(err, req, reply);
    },
    bodyLimit: opts.bodyLimit ?? 4 * 1024 * 1024,
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    // pino's Logger and Fastify's base logger type differ only in generics.
  }) as unknown as FastifyInstance;
  // Without this a text/plain body would reach a handler as a string.
  app.removeContentTypeParser('text/plain');

  const metrics = new Registry();
  collectDefaultMetrics({ register: metrics });
  const labelNames = ['service', 'method', 'route', 'status'] as const;
  const requests = new Counter({ name: 'portico_api_requests_total', help: 'API requests answered, by route pattern and status', labelNames, registers: [metrics] });
  const duration = new Histogram({
    name: 'portico_api_request_duration_seconds',
    help: 'Time from receiving an API request to sending its response, by route pattern and status',
    labelNames,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [metrics],
  });

  app.addHook('onRequest', async (req, reply) => {
    reply.header(REQUEST_ID_HEADER, req.id);
  });
  app.addHook('onResponse', async (req, reply) => {
    const labels = { service: opts.name, method: req.method, route: req.routeOptions.url ?? '(unmatched)', status: String(reply.statusCode) };
    requests.inc(labels);
    duration.observe(labels, reply.elapsedTime / 1000);
    const line = { method: req.method, url: req.url, status: reply.statusCode, ms: Math.round(reply.elapsedTime) };
    if (READS.has(req.method)) req.log.debug(line, 'request completed');
    else req.log.info({ ...line, principal: req.principal?.name }, 'request completed');
  });

  app.setErrorHandler(sendError);
  app.setNotFoundHandler((req, reply) => {
    sendError(new ApiError(404, 'not_found', `No endpoint ${req.method} ${req.url.split('?')[0]}`), req, reply);
  });

  app.get('/healthcheck/live', async () => ({ status: 'ok' }));
  app.get('/healthcheck/ready', async (_req, reply) => {
    const { ok, checks } = await runChecks(opts.readiness ?? []);
    return reply.status(ok ? 200 : 503).send({ status: ok ? 'ok' : 'unavailable', checks });
  });
  app.get('/metrics', async (_req, reply) => {
    reply.header('content-type', metrics.contentType);
    return metrics.metrics();
  });

  return { app, metrics };
}

/**
 * A hook that admits a request whose bearer token holds `permission`, and sets
 * `req.principal`: 401 (with `WWW-Authenticate: Bearer`) without a known token,
 * 403 without the permission, 503 when the tokens cannot be checked. As an
 * `onRequest` hook it answers before the body is read.
 */
export function requirePermission(authenticate: Authenticate, permission: string) {
  return async (req: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const token = bearerToken(req.headers.authorization);
    let principal: Principal | null = null;
    if (token) {
      try {
        principal = await authenticate(token);
      } catch (err) {
        if (isDatabaseUnavailable(err)) req.log.warn({ err }, 'cannot check the bearer token: database unavailable');
        else req.log.error({ err }, 'cannot check the bearer token');
        reply.header('retry-after', String(RETRY_AFTER_SECONDS));
        throw new ApiError(503, 'auth_unavailable', 'The bearer token cannot be checked now; try again shortly');
      }
    }
    if (!principal) {
      reply.header('www-authenticate', 'Bearer');
      throw new ApiError(401, 'unauthenticated', token ? 'The bearer token is unknown or revoked' : 'Send a bearer token: Authorization: Bearer <token>');
    }
    if (!principal.permissions.includes(permission)) {
      throw new ApiError(403, 'forbidden', `The token "${principal.name}" lacks the ${permission} permission`);
    }
    req.principal = principal;
  };
}
