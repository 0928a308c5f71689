import { detailString, type ContentItem } from './content-item.ts';
import type { ContentStoreClient } from './content-store-client.ts';
import { markdownHtml, type Page } from './page.ts';
import { presenterFor } from './presenters/index.ts';
import type { SearchApiClient } from './search-api-client.ts';

/**
 * What a content path turns into: a page (maxAge from the content store, which
 * may lower the page's), a redirect, or `unchanged` when the item is still the
 * one whose etag the caller sent. A page carries its item's `etag` when it was
 * built from that item and the path alone, so that it can be reused while the
 * item is unchanged; `reason` says why the content store was unavailable.
 */
export type Outcome =
  | { kind: 'page'; page: Page; maxAge: number | undefined; etag?: string; reason?: string }
  | { kind: 'unchanged'; maxAge: number | undefined }
  | { kind: 'redirect'; location: string; status: 301 | 302 };

const ERRORS: Record<number, { title: string; paragraphs: string[] }> = {
  400: { title: 'Page not found', paragraphs: ['The web address is not one this site can read. Check it is typed correctly.'] },
  404: {
    title: 'Page not found',
    paragraphs: ['If you typed the web address, check it is correct.', 'If you pasted the web address, check you copied the entire address.'],
  },
  500: { title: 'Sorry, there is a problem with the service', paragraphs: ['Try again later.'] },
  503: { title: 'Sorry, the service is unavailable', paragraphs: ['This page cannot be shown right now. Try again later.'] },
};

/** The page for an error status; every one shares the layout. */
export function errorPage(status: number): Page {
  const text = ERRORS[status] ?? ERRORS[status >= 500 ? 500 : 404]!;
  return {
    status,
    template: 'error.njk',
    title: text.title,
    lang: 'en',
    breadcrumbs: [],
    related: [],
    view: { paragraphs: text.paragraphs },
  };
}

/** 410, with the unpublisher's explanation and where to go instead when it gave them. */
function gonePage(item: ContentItem | undefined): Page {
  return {
    status: 410,
    template: 'gone.njk',
    title: 'The page you’re looking for is no longer here',
    lang: item?.locale ?? 'en',
    breadcrumbs: [],
    related: [],
    view: {
      explanation: markdownHtml(item?.details.explanation)?.html,
      alternativePath: detailString(item?.details, 'alternative_path'),
    },
  };
}

/** The routers answer redirect items themselves; this is for a frontend reached directly. */
function redirectOf(item: ContentItem, path: string): Outcome | undefined {
  const entry = item.redirects?.find((r) => r.path === path || (r.type === 'prefix' && path.startsWith(`${r.path}/`)));
  return entry && { kind: 'redirect', location: entry.destination, status: entry.redirect_type === 'temporary' ? 302 : 301 };
}

export interface PageDeps {
  contentStore: ContentStoreClient;
  search: SearchApiClient;
}

/** One content item's page for a path: fetched from the content store, shaped by its schema's presenter. */
export async function contentPage({ contentStore, search }: PageDeps, path: string, opts: { requestId?: string; ifNoneMatch?: string } = {}): Promise<Outcome> {
  const { requestId } = opts;
  const found = await contentStore.lookup(path, opts);
  switch (found.kind) {
    case 'unchanged':
      return found;
    case 'unavailable':
      return { kind: 'page', page: errorPage(503), maxAge: undefined, reason: found.reason };
    case 'bad_path':
      return { kind: 'page', page: errorPage(400), maxAge: undefined };
    case 'not_found':
      return { kind: 'page', page: errorPage(404), maxAge: found.maxAge };
    case 'gone':
      return { kind: 'page', page: gonePage(found.item), maxAge: found.maxAge };
  }
  const { item } = found;
  // A gone item with an explanation is stored as a page for its frontend to render: still a 410.
  if (item.schema_name === 'gone') return { kind: 'page', page: gonePage(item), maxAge: found.maxAge };
  if (item.schema_name === 'redirect') return redirectOf(item, path) ?? { kind: 'page', page: errorPage(404), maxAge: found.maxAge };
  // A page that shows search results changes without its item changing: it gets no etag, so it is never reused.
  let searched = false;
  const tracked: SearchApiClient = {
    search: (...args) => {
      searched = true;
      return search.search(...args);
    },
  };
  const page = (await presenterFor(item.schema_name)(item, { path, search: tracked, requestId })) ?? errorPage(404);
  return searched || found.etag === undefined ? { kind: 'page', page, maxAge: found.maxAge } : { kind: 'page', page, maxAge: found.maxAge, etag: found.etag };
}
