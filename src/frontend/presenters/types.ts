import type { ContentItem } from '../content-item.ts';
import type { Page } from '../page.ts';
import type { SearchApiClient } from '../search-api-client.ts';

export interface PresentContext {
  /** The path asked for, which for a guide names the part. */
  path: string;
  search: SearchApiClient;
  requestId?: string;
}

/** A schema's page for an item, or undefined when the item has nothing at this path (a guide part that does not exist). */
export type Presenter = (item: ContentItem, ctx: PresentContext) => Page | undefined | Promise<Page | undefined>;
