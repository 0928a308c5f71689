import { join } from 'node:path';
import nunjucks from 'nunjucks';
import { GOVUK_FRONTEND_DIR } from './assets.ts';

/**
 * Nunjucks over an app's templates and govuk-frontend's (`govuk/...`), with
 * autoescape on: every value is text unless the app made it HTML itself
 * (rendered Markdown), and templates mark only those `safe`.
 */
export function createNunjucks(templateDirs: string[]): nunjucks.Environment {
  return new nunjucks.Environment(new nunjucks.FileSystemLoader([...templateDirs, join(GOVUK_FRONTEND_DIR, 'dist')]), {
    autoescape: true,
    throwOnUndefined: false,
    trimBlocks: true,
    lstripBlocks: true,
  });
}
