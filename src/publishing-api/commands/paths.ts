import { ApiError } from '../../platform/api.ts';
import { pathReservation, releasePath, reservePath } from '../repository.ts';
import { validBasePath } from '../validation/routes.ts';
import { runCommand, type CommandContext, type CommandResult } from './command.ts';

const APP = /^[a-z0-9][a-z0-9-]*$/;

function checkRequest(basePath: string, body: Record<string, unknown>): string {
  const reason = validBasePath(basePath);
  if (reason) throw new ApiError(422, 'base_path_invalid', `base_path ${reason}`, { base_path: [reason] });
  if (Buffer.byteLength(basePath) > 512) throw new ApiError(422, 'base_path_too_long', 'base_path is longer than 512 bytes', { base_path: ['is longer than 512 bytes'] });
  const app = body.publishing_app;
  if (typeof app !== 'string' || !APP.test(app)) {
    throw new ApiError(422, 'publishing_app_missing', 'publishing_app is required', { publishing_app: [typeof app === 'string' ? 'must be lower case letters, digits and hyphens' : 'is required'] });
  }
  return app;
}

/** `PUT /paths/*base_path`: reserves a path for a publishing app before it has content there. */
export function reservePathCommand(ctx: CommandContext, basePath: string, body: Record<string, unknown>): Promise<CommandResult<Record<string, unknown>>> {
  const app = checkRequest(basePath, body);
  return runCommand(ctx, 'ReservePath', null, { base_path: basePath, ...body }, async (tx) => {
    const owner = await pathReservation(tx, basePath);
    if (owner && owner !== app && body.override_existing !== true) {
      const message = `${basePath} is already reserved by ${owner}`;
      throw new ApiError(422, 'base_path_already_in_use', message, { base_path: [message] }, { owner });
    }
    await reservePath(tx, basePath, app);
    return { body: { base_path: basePath, publishing_app: app }, downstream: [] };
  });
}

/** `DELETE /paths/*base_path`: gives a reserved path up. */
export function unreservePathCommand(ctx: CommandContext, basePath: string, body: Record<string, unknown>): Promise<CommandResult<Record<string, unknown>>> {
  const app = checkRequest(basePath, body);
  return runCommand(ctx, 'UnreservePath', null, { base_path: basePath, ...body }, async (tx) => {
    const owner = await pathReservation(tx, basePath);
    if (!owner) throw new ApiError(404, 'not_found', `${basePath} is not reserved`);
    if (owner !== app) {
      const message = `${basePath} is already reserved by ${owner}`;
      throw new ApiError(422, 'base_path_already_in_use', message, { base_path: [message] }, { owner });
    }
    await releasePath(tx, basePath);
    return { body: { base_path: basePath, publishing_app: app }, downstream: [] };
  });
}
