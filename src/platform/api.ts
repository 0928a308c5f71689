import { randomUUID } from 'node:crypto';
import Fastify, { LogController, type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { bearerToken, type Authenticate, type Principal } from './auth.ts';
import { runChecks, type HealthCheck } from './http.ts';
import { REQUEST_ID_HEADER, type Logger } from './log.ts';

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
  /** Largest request body accepted, in bytes. */
  bodyLimit?: number;
}

export interface Api {
  app: FastifyInstance;
  metrics: Registry;
}

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
}

function fieldFromValidation(e: { instancePath?: string; params?: Record<string, unknown> }): string {
  const path = (e.instancePath ?? '').replace(/^\//, '').replace(/\/(\d+)(?=\/|$)/g, '[$1]').replace(/\//g, '.');
  const missing = e.params?.missingProperty ?? e.params?.additionalProperty;
  if (typeof missing === 'string') return path ? `${path}.${missing}` : missing;
  return path || '(body)';
}

/**
 * A Fastify app with what every Portico API shares: the request id on every
 * log line and response, one error shape, health checks and Prometheus metrics.
 */
export function createApi(opts: ApiOptions): Api {
  // pino's Logger and Fastify's base logger type differ only in generics.
  const app = Fastify({
    loggerInstance: opts.log,
    logController: new LogController({ requestIdLogLabel: 'request_id', disableRequestLogging: true }),
    requestIdHeader: REQUEST_ID_HEADER,
    genReqId: () => randomUUID(),
    bodyLimit: opts.bodyLimit ?? 4 * 1024 * 1024,
    return503OnClosing: true,
    forceCloseConnections: 'idle',
  }) as unknown as FastifyInstance;

  const metrics = new Registry();
  collectDefaultMetrics({ register: metrics });
  const requests = new Counter({
    name: 'portico_api_requests_total',
    help: 'API requests by route and status',
    labelNames: ['service', 'method', 'route', 'status'],
    registers: [metrics],
  });
  const duration = new Histogram({
    name: 'portico_api_request_duration_seconds',
    help: 'API request duration by route',
    labelNames: ['service', 'method', 'route'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [metrics],
  });

  app.addHook('onRequest', async (req, reply) => {
    reply.header(REQUEST_ID_HEADER, req.id);
  });
  app.addHook('onResponse', async (req, reply) => {
    const route = req.routeOptions.url ?? 'unmatched';
    requests.inc({ service: opts.name, method: req.method, route, status: reply.statusCode });
    duration.observe({ service: opts.name, method: req.method, route }, reply.elapsedTime / 1000);
    if (reply.statusCode >= 500) req.log.error({ status: reply.statusCode, url: req.url }, 'request failed');
  });

  app.setErrorHandler((err: FastifyError | ApiError, req: FastifyRequest, reply: FastifyReply) => {
    if (err instanceof ApiError) return reply.status(err.status).send(err.toJSON());
    if (err.validation) {
      const fields: FieldErrors = {};
      for (const e of err.validation) (fields[fieldFromValidation(e)] ??= []).push(e.message ?? 'is invalid');
      return reply.status(422).send(new ApiError(422, 'validation_failed', 'The request has invalid fields', fields).toJSON());
    }
    if (err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
      return reply.status(415).send(new ApiError(415, 'unsupported_media_type', 'Send the body as application/json').toJSON());
    }
    if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) {
      const code = err.statusCode === 413 ? 'body_too_large' : 'bad_request';
      return reply.status(err.statusCode).send(new ApiError(err.statusCode, code, err.message).toJSON());
    }
    req.log.error({ err }, 'unhandled error');
    return reply.status(500).send(new ApiError(500, 'internal_error', 'Something went wrong; the request id is in the Portico-Request-Id header').toJSON());
  });

  app.setNotFoundHandler((req, reply) => {
    reply.status(404).send(new ApiError(404, 'not_found', `No endpoint ${req.method} ${req.url.split('?')[0]}`).toJSON());
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
 * A preHandler that admits a request whose bearer token holds `permission`:
 * 401 without a known token, 403 without the permission.
 */
export function requirePermission(authenticate: Authenticate, permission: string) {
  return async (req: FastifyRequest) => {
    const token = bearerToken(req.headers.authorization);
    if (!token) throw new ApiError(401, 'unauthenticated', 'Send a bearer token: Authorization: Bearer <token>');
    const principal = await authenticate(token);
    if (!principal) throw new ApiError(401, 'unauthenticated', 'The bearer token is unknown or revoked');
    if (!principal.permissions.includes(permission)) {
      throw new ApiError(403, 'forbidden', `The token "${principal.name}" lacks the ${permission} permission`);
    }
    req.principal = principal;
  };
}
