import { bodyMarkdown, detailList, detailString, linksOf, type ContentItem, type ExpandedLink } from './content-item.ts';
import { displayDate, type DisplayDate } from './dates.ts';
import { renderMarkdown } from '../platform/ui/markdown.ts';

export interface Crumb {
  text: string;
  href: string;
}

export interface LinkView {
  text: string;
  href: string;
  external?: boolean;
}

export interface Update {
  date: DisplayDate;
  note: string;
}

export interface Dates {
  published: DisplayDate | undefined;
  updated: DisplayDate | undefined;
  /** Newest first; empty when the item has no change history. */
  history: Update[];
}

/**
 * Everything the one page layout shows, whatever the schema: the presenters
 * build one of these, the templates only read it.
 */
export interface Page {
  status: number;
  /** The schema's template under templates/, which fills the layout's content block. */
  template: string;
  title: string;
  /** The whole browser title, when `<title> - Portico` will not do (a guide part, the home page). */
  documentTitle?: string;
  lang: string;
  /** The caption above the h1, e.g. "Press release". */
  caption?: string;
  description?: string;
  phase?: 'alpha' | 'beta';
  breadcrumbs: Crumb[];
  related: LinkView[];
  dates?: Dates;
  withdrawn?: { html: string; date: DisplayDate | undefined };
  /** What the schema's template shows beyond the layout. */
  view: Record<string, unknown>;
}

const HOME: Crumb = { text: 'Home', href: '/' };
/** Chains are data from editors: a loop or a very deep tree must not hang a page. */
const MAX_CHAIN = 12;

/** `press_release` gives `Press release`. */
export function humanise(documentType: string): string {
  const words = documentType.replace(/_/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** The link itself and its ancestors through `type`, root first. */
function chain(link: ExpandedLink & { base_path: string; title: string }, type: string): Crumb[] {
  const out: Crumb[] = [];
  const seen = new Set<string>();
  let at: (ExpandedLink & { base_path: string; title: string }) | undefined = link;
  while (at && !seen.has(at.base_path) && out.length < MAX_CHAIN) {
    seen.add(at.base_path);
    out.unshift({ text: at.title, href: at.base_path });
    at = linksOf(at.links, type)[0];
  }
  return out;
}

/**
 * Where the page sits: its parent chain when it has one, else the chain of its
 * first taxon (a taxon's own parents for a taxon page), under Home. The page
 * itself is not a crumb: it is the h1.
 */
export function breadcrumbs(item: ContentItem): Crumb[] {
  if (item.base_path === '/') return [];
  const parent = linksOf(item.links, 'parent')[0];
  if (parent) return [HOME, ...chain(parent, 'parent')];
  const parentTaxon = linksOf(item.links, 'parent_taxons')[0];
  if (parentTaxon) return [HOME, ...chain(parentTaxon, 'parent_taxons')];
  const taxon = linksOf(item.links, 'taxons')[0];
  if (taxon) return [HOME, ...chain(taxon, 'parent_taxons')];
  return [HOME];
}

/** Curated related items first, then the external links an editor added. */
export function relatedLinks(item: ContentItem): LinkView[] {
  const internal = linksOf(item.links, 'ordered_related_items').map((l) => ({ text: l.title, href: l.base_path }));
  const external = detailList(item.details, 'external_related_links')
    .filter((l) => typeof l.title === 'string' && typeof l.url === 'string')
    .map((l) => ({ text: l.title as string, href: l.url as string, external: /^https?:/i.test(l.url as string) }));
  return [...internal, ...external];
}

/** Published and updated dates, and the change history when the item keeps one. */
export function dates(item: ContentItem): Dates {
  const history = detailList(item.details, 'change_history')
    .map((h) => ({ date: displayDate(h.public_timestamp), note: typeof h.note === 'string' ? h.note : '' }))
    .filter((h): h is Update => h.date !== undefined)
    .sort((a, b) => b.date.iso.localeCompare(a.date.iso));
  const oldest = history[history.length - 1];
  return {
    published: displayDate(item.first_published_at) ?? displayDate(detailString(item.details, 'first_public_at')) ?? oldest?.date,
    updated: history[0]?.date ?? displayDate(item.public_updated_at),
    history,
  };
}

export function markdownHtml(value: unknown): ReturnType<typeof renderMarkdown> | undefined {
  const source = bodyMarkdown(value);
  return source === undefined ? undefined : renderMarkdown(source);
}

/** The layout's share of a page for any content item; the presenter adds its template and view. */
export function itemPage(item: ContentItem, template: string, view: Record<string, unknown>, opts: { dates?: boolean } = {}): Page {
  const notice = item.withdrawn_notice;
  return {
    status: 200,
    template,
    title: item.title ?? '',
    lang: item.locale ?? 'en',
    description: item.description ?? undefined,
    phase: item.phase === 'alpha' || item.phase === 'beta' ? item.phase : undefined,
    breadcrumbs: breadcrumbs(item),
    related: relatedLinks(item),
    dates: opts.dates === false ? undefined : dates(item),
    withdrawn: notice ? { html: renderMarkdown(notice.explanation ?? '').html, date: displayDate(notice.withdrawn_at) } : undefined,
    view,
  };
}
