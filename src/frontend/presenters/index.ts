import { answer } from './answer.ts';
import { detailedGuide } from './detailed-guide.ts';
import { generic } from './generic.ts';
import { guide } from './guide.ts';
import { homepage } from './homepage.ts';
import { newsArticle } from './news-article.ts';
import { organisation } from './organisation.ts';
import { person } from './person.ts';
import { taxon } from './taxon.ts';
import type { Presenter } from './types.ts';

export type { PresentContext, Presenter } from './types.ts';

/** The page for each schema_name; any other renders through the generic page. gone and redirect are pages.ts's business. */
const PRESENTERS: Record<string, Presenter> = {
  answer,
  guide,
  detailed_guide: detailedGuide,
  news_article: newsArticle,
  organisation,
  taxon,
  person,
  homepage,
};

export function presenterFor(schemaName: string): Presenter {
  return Object.hasOwn(PRESENTERS, schemaName) ? PRESENTERS[schemaName]! : generic;
}
