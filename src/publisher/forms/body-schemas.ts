import { commonFields, exactRoute, type SchemaForm } from './schema-form.ts';

/** answer and detailed_guide: a title, a summary and a Markdown body. */
function bodyForm(schema_name: string, label: string, document_types: string[]): SchemaForm {
  return {
    schema_name,
    label,
    document_types,
    partial: 'fields/body.njk',
    descriptionLabel: 'Summary',
    fields: (v) => [...commonFields(v, 'Summary'), { id: 'body', label: 'Body', value: v.body }],
    details: (v, saved) => ({ details: { ...saved, body: v.body } }),
    routes: exactRoute,
    detailsField: (key) => (key === 'details.body' || key.startsWith('details.body[') ? 'body' : undefined),
  };
}

export const answerForm = bodyForm('answer', 'Answer', ['answer']);
export const detailedGuideForm = bodyForm('detailed_guide', 'Detailed guide', ['detailed_guide']);
