import { answerForm, detailedGuideForm } from './body-schemas.ts';
import { genericForm } from './generic.ts';
import { guideForm } from './guide.ts';
import { newsArticleForm } from './news-article.ts';
import type { SchemaForm } from './schema-form.ts';

/** Every schema an editor can create, in the order the "new document" page lists them. */
export const SCHEMA_FORMS: readonly SchemaForm[] = [
  answerForm,
  guideForm,
  detailedGuideForm,
  newsArticleForm,
  genericForm('organisation', 'Organisation', ['organisation']),
  genericForm('person', 'Person', ['person']),
  genericForm('taxon', 'Topic (taxon)', ['taxon']),
];

export function formForSchema(schemaName: string): SchemaForm | undefined {
  return SCHEMA_FORMS.find((f) => f.schema_name === schemaName);
}

export function formForDocumentType(documentType: string): SchemaForm | undefined {
  return SCHEMA_FORMS.find((f) => f.document_types.includes(documentType));
}

/** Every document type an editor can choose, with the schema it belongs to. */
export const DOCUMENT_TYPES: readonly { value: string; schema: SchemaForm }[] = SCHEMA_FORMS.flatMap((schema) =>
  schema.document_types.map((value) => ({ value, schema })),
);

export function humanise(documentType: string): string {
  const s = documentType.replace(/_/g, ' ');
  return s.charAt(0).toUpperCase() + s.slice(1);
}
