import { humanise, itemPage, markdownHtml } from '../page.ts';
import type { Presenter } from './types.ts';

/**
 * Any schema without a page of its own (special_route, and schemas added
 * before their frontend): the title, description and body if it has one, so a
 * new schema is visible at once rather than a 404.
 */
export const generic: Presenter = (item) => ({
  ...itemPage(item, 'generic.njk', { body: markdownHtml(item.details.body)?.html }),
  caption: item.schema_name === 'special_route' ? undefined : humanise(item.document_type),
});
