import { detailObject, linksOf } from '../content-item.ts';
import { humanise, itemPage, markdownHtml } from '../page.ts';
import type { Presenter } from './types.ts';

/** News: the lead (its description), who it is from, its image, the body and its dates. */
export const newsArticle: Presenter = (item) => {
  const image = detailObject(item.details, 'image');
  return {
    ...itemPage(item, 'news_article.njk', {
      body: markdownHtml(item.details.body)?.html,
      image: typeof image?.url === 'string' ? { url: image.url, alt: String(image.alt_text ?? ''), caption: image.caption ?? undefined } : undefined,
      from: [...linksOf(item.links, 'organisations'), ...linksOf(item.links, 'people')].map((l) => ({ text: l.title, href: l.base_path })),
    }),
    caption: humanise(item.document_type),
  };
};
