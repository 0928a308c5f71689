import { fileURLToPath } from 'node:url';
import { createNunjucks } from '../platform/ui/nunjucks.ts';
import type { Site } from './sites.ts';

const TEMPLATES = fileURLToPath(new URL('./templates/', import.meta.url));

export interface PageContext {
  site: Pick<Site, 'title' | 'homepage'>;
  /** The old host the visitor asked (its canonical name). */
  host: string;
  archiveUrl: string;
  suggestedUrl?: string;
}

/** A URL as a link's text: without its scheme or a trailing slash, as GOV.UK's bouncer shows them. */
function linkText(url: string): string {
  return url.replace(/^https?:\/\//i, '').replace(/\/$/, '');
}

/** The two HTML pages a retired site answers with. */
export function createPages() {
  const env = createNunjucks([TEMPLATES]);
  const render = (template: string, title: string, ctx: PageContext) =>
    env.render(template, {
      ...ctx,
      title,
      homepageText: linkText(ctx.site.homepage),
      suggestedText: ctx.suggestedUrl && linkText(ctx.suggestedUrl),
    });
  return {
    /** 410: the page is gone, with its archived copy and any suggested page. */
    gone: (ctx: PageContext) => render('gone.njk', 'This page is no longer available', ctx),
    /** 404: no mapping for the path. */
    notFound: (ctx: PageContext) => render('not-found.njk', 'Page not found', ctx),
  };
}

export type Pages = ReturnType<typeof createPages>;
