import { itemPage, markdownHtml } from '../page.ts';
import type { Presenter } from './types.ts';

/** Longer guidance: the body with a contents list made from its h2 headings. */
export const detailedGuide: Presenter = (item) => {
  const body = markdownHtml(item.details.body);
  const contents = (body?.headings ?? []).filter((h) => h.level === 2).map((h) => ({ text: h.text, href: `#${h.id}` }));
  return itemPage(item, 'detailed_guide.njk', { body: body?.html, contents });
};
