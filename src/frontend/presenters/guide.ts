import { detailList } from '../content-item.ts';
import { itemPage, markdownHtml } from '../page.ts';
import type { Presenter } from './types.ts';

interface Part {
  title: string;
  slug: string;
  body: unknown;
}

/**
 * A guide in parts: the first at the base path (and at its own slug), each
 * other at `<base_path>/<slug>`, with the list of parts and previous/next.
 */
export const guide: Presenter = (item, { path }) => {
  const parts: Part[] = detailList(item.details, 'parts')
    .filter((p) => typeof p.title === 'string' && typeof p.slug === 'string')
    .map((p) => ({ title: p.title as string, slug: p.slug as string, body: p.body }));
  const rest = path === item.base_path ? '' : path.slice(item.base_path.length).replace(/^\/+|\/+$/g, '');
  const index = rest === '' ? 0 : parts.findIndex((p) => p.slug === rest);
  const part = parts[index];
  if (!part && parts.length > 0) return undefined;
  const href = (i: number) => (i === 0 ? item.base_path : `${item.base_path}/${parts[i]!.slug}`);
  const link = (i: number) => (parts[i] ? { href: href(i), labelText: parts[i]!.title } : undefined);
  const page = itemPage(item, 'guide.njk', {
    part: part && { title: part.title, body: markdownHtml(part.body)?.html },
    parts: parts.map((p, i) => ({ title: p.title, href: href(i), current: i === index })),
    showNavigation: item.details.hide_chapter_navigation !== true && parts.length > 1,
    previous: link(index - 1),
    next: link(index + 1),
  });
  return index > 0 ? { ...page, documentTitle: `${part!.title} - ${page.title} - Portico` } : page;
};
