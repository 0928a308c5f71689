import { detailObject, detailString, linksOf } from '../content-item.ts';
import { itemPage, markdownHtml } from '../page.ts';
import type { Presenter } from './types.ts';

/** A person's biography, picture and the organisations they belong to. */
export const person: Presenter = (item) => {
  const image = detailObject(item.details, 'image');
  const page = itemPage(item, 'person.njk', {
    fullName: detailString(item.details, 'full_name'),
    privyCounsellor: item.details.privy_counsellor === true,
    image: typeof image?.url === 'string' ? { url: image.url, alt: String(image.alt_text ?? '') } : undefined,
    body: markdownHtml(item.details.body)?.html,
    organisations: linksOf(item.links, 'organisations').map((o) => ({ text: o.title, href: o.base_path })),
  }, { dates: false });
  return { ...page, caption: 'Biography' };
};
