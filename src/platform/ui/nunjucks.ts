import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import nunjucks from 'nunjucks';
import { GOVUK_FRONTEND_DIR } from './assets.ts';

/** Templates every app may use (`portico/...`), such as the platform's footer. */
const PLATFORM_TEMPLATES = fileURLToPath(new URL('./templates/', import.meta.url));

/**
 * Nunjucks over an app's templates, the platform's (`portico/...`) and govuk-frontend's (`govuk/...`), with
 * autoescape on: every value is text unless the app made it HTML itself
 * (rendered Markdown), and templates mark only those `safe`.
 */
export function createNunjucks(templateDirs: string[]): nunjucks.Environment {
  return new nunjucks.Environment(new nunjucks.FileSystemLoader([...templateDirs, PLATFORM_TEMPLATES, join(GOVUK_FRONTEND_DIR, 'dist')]), {
    autoescape: true,
    throwOnUndefined: false,
    trimBlocks: true,
    lstripBlocks: true,
  });
}
