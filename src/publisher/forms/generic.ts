import { commonFields, exactRoute, type SchemaForm } from './schema-form.ts';

/** A schema without a form of its own: its details edited as JSON, checked by the API against the schema. */
export function genericForm(schema_name: string, label: string, document_types: string[]): SchemaForm {
  return {
    schema_name,
    label,
    document_types,
    partial: 'fields/generic.njk',
    descriptionLabel: 'Summary',
    fields: (v) => [...commonFields(v, 'Summary'), { id: 'details_json', label: 'Details (JSON)', value: v.details_json }],
    details(v) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(v.details_json || '{}');
      } catch (err) {
        return { problem: { field: 'details_json', message: `Details (JSON) is not valid JSON: ${(err as Error).message}` } };
      }
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
        return { problem: { field: 'details_json', message: 'Details (JSON) must be a JSON object, such as {"body": "..."}' } };
      }
      return { details: parsed as Record<string, unknown> };
    },
    routes: exactRoute,
    detailsField: (key) => (key.startsWith('details') ? 'details_json' : undefined),
  };
}
