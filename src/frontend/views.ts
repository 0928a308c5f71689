import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import nunjucks from 'nunjucks';
import { GOVUK_FRONTEND_DIR } from './assets.ts';
import type { Page } from './page.ts';

const TEMPLATES = fileURLToPath(new URL('./templates/', import.meta.url));

export interface Views {
  render(page: Page): string;
}

/**
 * Nunjucks over this app's templates and govuk-frontend's (`govuk/...`), with
 * autoescape on: every value a page carries is text unless a presenter made it
 * HTML itself (rendered Markdown), and the templates mark only those `safe`.
 */
export function createViews(opts: { assetPath: string; preview: boolean }): Views {
  const env = new nunjucks.Environment(new nunjucks.FileSystemLoader([TEMPLATES, join(GOVUK_FRONTEND_DIR, 'dist')]), {
    autoescape: true,
    throwOnUndefined: false,
    trimBlocks: true,
    lstripBlocks: true,
  });
  return {
    render: (page) => env.render(page.template, { page, view: page.view, assetPath: opts.assetPath, htmlLang: page.lang, preview: opts.preview }),
  };
}
