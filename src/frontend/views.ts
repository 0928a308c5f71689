import { fileURLToPath } from 'node:url';
import { createNunjucks } from '../platform/ui/nunjucks.ts';
import type { Page } from './page.ts';

const TEMPLATES = fileURLToPath(new URL('./templates/', import.meta.url));

export interface Views {
  render(page: Page): string;
}

/** The frontend's templates: a page's values are text unless a presenter made them HTML (rendered Markdown). */
export function createViews(opts: { assetPath: string; preview: boolean }): Views {
  const env = createNunjucks([TEMPLATES]);
  return {
    render: (page) => env.render(page.template, { page, view: page.view, assetPath: opts.assetPath, htmlLang: page.lang, preview: opts.preview }),
  };
}
