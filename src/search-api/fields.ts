/**
 * The fields a search can return, filter, order and count by, and the columns
 * behind them. Names follow the reference search API where it has one.
 */
/** `keywords` and `organisations` hold several values; a filter matches a document holding any of those asked for. */
export type FieldKind = 'text' | 'keyword' | 'keywords' | 'organisations' | 'date' | 'boolean';

export interface FieldDef {
  kind: FieldKind;
  /** The column results are read from. */
  column: string;
  /** The column filters test, where it is not `column`: organisations are filtered by their slugs. */
  filterColumn: string;
  filterable: boolean;
  sortable: boolean;
  aggregatable: boolean;
}

type Abilities = Partial<Pick<FieldDef, 'filterColumn' | 'filterable' | 'sortable' | 'aggregatable'>>;

const field = (kind: FieldKind, column: string, can: Abilities = {}): FieldDef => ({
  kind,
  column,
  filterColumn: can.filterColumn ?? column,
  filterable: can.filterable ?? false,
  sortable: can.sortable ?? false,
  aggregatable: can.aggregatable ?? false,
});

export const FIELDS = {
  title: field('text', 'title', { sortable: true }),
  link: field('keyword', 'base_path', { filterable: true }),
  description: field('text', 'description'),
  indexable_content: field('text', 'indexable_content'),
  public_timestamp: field('date', 'public_timestamp', { filterable: true, sortable: true }),
  content_store_document_type: field('keyword', 'document_type', { filterable: true, aggregatable: true }),
  organisations: field('organisations', 'organisations', { filterColumn: 'organisation_slugs', filterable: true, aggregatable: true }),
  part_of_taxonomy_tree: field('keywords', 'part_of_taxonomy_tree', { filterable: true }),
  content_id: field('keyword', 'content_id', { filterable: true }),
  locale: field('keyword', 'locale', { filterable: true, aggregatable: true }),
  is_withdrawn: field('boolean', 'is_withdrawn', { filterable: true, aggregatable: true }),
} satisfies Record<string, FieldDef>;

export type FieldName = keyof typeof FIELDS;

export const FIELD_NAMES = Object.keys(FIELDS) as FieldName[];

/** What a result carries when `fields` is not given: enough to render a list of links. */
export const DEFAULT_FIELDS: readonly FieldName[] = ['title', 'link', 'description', 'public_timestamp', 'content_store_document_type', 'organisations'];

export function isFieldName(name: string): name is FieldName {
  return Object.hasOwn(FIELDS, name);
}

export const namesWhere = (can: 'filterable' | 'sortable' | 'aggregatable'): FieldName[] => FIELD_NAMES.filter((n) => FIELDS[n][can]);
