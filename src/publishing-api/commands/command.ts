import { ApiError } from '../../platform/api.ts';
import type { Db, Queryable } from '../../platform/db/index.ts';
import type { ActingUser } from '../acting-user.ts';
import { recordEvent } from '../repository.ts';
import type { DownstreamRequest } from '../types.ts';

/** Who asked, and when: every command runs with one of these. */
export interface CommandContext {
  db: Db;
  now: () => Date;
  /** The API token's name: which app called. */
  actor: string | null;
  /** The person the app acted for, when it said. */
  user: ActingUser | null;
  requestId: string | null;
  /**
   * Queues the content-store updates inside the command's transaction, so they
   * exist exactly when the command commits.
   */
  enqueue: (tx: Queryable, requests: DownstreamRequest[], priority: Priority) => Promise<void>;
}

/** An editor's own change goes first; bulk work and fan-out wait behind it. */
export type Priority = 'high' | 'low';

export interface CommandResult<T> {
  body: T;
  /** The content stores to bring up to date once the command has committed. */
  downstream: DownstreamRequest[];
  /** high unless the command says otherwise (bulk publishing, republish). */
  priority?: Priority;
}

const UNIQUE_VIOLATION = '23505';

/**
 * Runs one command in one transaction, recording it in the events table. Any
 * error rolls back everything it wrote. A unique index firing means another
 * writer took the same path or version at the same moment: that is a conflict
 * for the client to retry, not a server fault.
 */
export async function runCommand<T>(
  ctx: CommandContext,
  action: string,
  contentId: string | null,
  payload: unknown,
  fn: (tx: Queryable) => Promise<CommandResult<T>>,
): Promise<CommandResult<T>> {
  try {
    return await ctx.db.transaction(async (tx) => {
      const result = await fn(tx);
      await recordEvent(tx, { action, content_id: contentId, payload, actor: ctx.actor, user: ctx.user, request_id: ctx.requestId });
      const downstream = result.downstream.map((r) => ({ ...r, request_id: ctx.requestId }));
      if (downstream.length) await ctx.enqueue(tx, downstream, result.priority ?? 'high');
      return result;
    });
  } catch (err) {
    if ((err as { code?: string }).code === UNIQUE_VIOLATION) {
      throw new ApiError(409, 'conflict', 'Another write to the same document or path happened at the same time; fetch the latest version and try again');
    }
    throw err;
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function requireContentId(contentId: string): string {
  if (!UUID.test(contentId)) throw new ApiError(404, 'not_found', `content_id must be a UUID, got ${JSON.stringify(contentId)}`);
  return contentId.toLowerCase();
}

export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID.test(value);
}

/** A body field that must be an integer when present (previous_version and friends). */
export function optionalInteger(body: Record<string, unknown>, field: string): number | undefined {
  const v = body[field];
  if (v === undefined || v === null) return undefined;
  if (!Number.isInteger(v)) throw new ApiError(422, 'parameter_invalid', `${field} must be an integer`, { [field]: ['must be an integer'] });
  return v as number;
}

export function optionalString(body: Record<string, unknown>, field: string): string | undefined {
  const v = body[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw new ApiError(422, 'parameter_invalid', `${field} must be a string`, { [field]: ['must be a string'] });
  return v;
}

/** Document types that give way to another document at their path instead of blocking it. */
export const SUBSTITUTABLE = new Set(['coming_soon', 'gone', 'redirect', 'unpublishing', 'special_route']);
