import type { DocumentValues } from './values.ts';

/** One field of the form as a conflict compares it and an error names it. */
export interface ComparedField {
  /** The form control's id, which error summaries link to. */
  id: string;
  label: string;
  value: string;
}

export interface Route {
  path: string;
  type: 'exact' | 'prefix';
}

export type DetailsResult = { details: Record<string, unknown> } | { problem: { field: string; message: string } };

/** How one content schema is edited: its own fields, and how they become the PUT body. */
export interface SchemaForm {
  schema_name: string;
  /** The name editors know it by. */
  label: string;
  document_types: string[];
  /** The template partial holding the fields only this schema has. */
  partial: string;
  /** The editor's words for the summary: a news article's is its lead paragraph. */
  descriptionLabel: string;
  /** Every field the editor can change, in form order. */
  fields(values: DocumentValues): ComparedField[];
  /**
   * The details to save: the form's fields over the saved details, so that
   * details the form does not show (change history, captions) survive a save.
   * A `problem` is something wrong with what was typed, found before asking the API.
   */
  details(values: DocumentValues, saved: Record<string, unknown>): DetailsResult;
  routes(values: DocumentValues): Route[];
  /** The form field a Publishing API error key under `details` belongs to, e.g. `details.parts[1].slug`. */
  detailsField(key: string): string | undefined;
}

/** Title, summary and base path: every schema's form has them. */
export function commonFields(values: DocumentValues, descriptionLabel: string): ComparedField[] {
  return [
    { id: 'title', label: 'Title', value: values.title },
    { id: 'description', label: descriptionLabel, value: values.description },
    { id: 'base_path', label: 'Base path', value: values.base_path },
  ];
}

export const exactRoute = (values: DocumentValues): Route[] => [{ path: values.base_path, type: 'exact' }];
