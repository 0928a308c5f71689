import { linksOf } from '../content-item.ts';
import { itemPage, markdownHtml } from '../page.ts';
import type { Presenter } from './types.ts';

/** The front page: a search box, the editors' text, and the top-level topics when the item links them. */
export const homepage: Presenter = (item) => {
  const page = itemPage(item, 'homepage.njk', {
    body: markdownHtml(item.details.body)?.html,
    topics: linksOf(item.links, 'level_one_taxons').map((t) => ({ text: t.title, href: t.base_path, description: t.description ?? undefined })),
  }, { dates: false });
  return { ...page, documentTitle: page.title };
};
