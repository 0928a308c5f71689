import { linksOf } from '../content-item.ts';
import { itemPage } from '../page.ts';
import type { Presenter } from './types.ts';

const TAGGED = 20;

/**
 * A topic: its subtopics (the reverse of their parent_taxons links) and the
 * content tagged to it, which the search API holds (a page tags its taxons,
 * not the other way round). Without search the subtopics still show.
 */
export const taxon: Presenter = async (item, { search, requestId }) => {
  const children = linksOf(item.links, 'child_taxons')
    .map((c) => ({ text: c.title, href: c.base_path, description: c.description ?? undefined }))
    .sort((a, b) => a.text.localeCompare(b.text));
  const found = item.content_id
    ? await search.search({ q: '', count: TAGGED, start: 0, filters: { part_of_taxonomy_tree: [item.content_id] }, aggregates: {} }, requestId)
    : undefined;
  return itemPage(item, 'taxon.njk', {
    children,
    tagged: found?.results.map((r) => ({ text: r.title, href: r.link, description: r.description })),
  }, { dates: false });
};
