import { itemPage, markdownHtml } from '../page.ts';
import type { Presenter } from './types.ts';

/** A short answer to one question: the body, with its related links beside it. */
export const answer: Presenter = (item) => itemPage(item, 'answer.njk', { body: markdownHtml(item.details.body)?.html });
