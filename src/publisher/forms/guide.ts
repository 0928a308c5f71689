import { commonFields, type SchemaForm } from './schema-form.ts';

const PART_KEY = /^details\.parts\[(\d+)\]\.(title|slug|body)/;

/** A guide: parts, each served at `<base_path>/<slug>`, edited, added, removed and reordered on one form. */
export const guideForm: SchemaForm = {
  schema_name: 'guide',
  label: 'Guide',
  document_types: ['guide'],
  partial: 'fields/guide.njk',
  descriptionLabel: 'Summary',
  fields: (v) => [
    ...commonFields(v, 'Summary'),
    ...v.parts.flatMap((p, i) => [
      { id: `part-${i}-title`, label: `Part ${i + 1} title`, value: p.title },
      { id: `part-${i}-slug`, label: `Part ${i + 1} slug`, value: p.slug },
      { id: `part-${i}-body`, label: `Part ${i + 1} body`, value: p.body },
    ]),
  ],
  details: (v, saved) => ({ details: { ...saved, parts: v.parts.map((p) => ({ title: p.title, slug: p.slug, body: p.body })) } }),
  // One prefix route covers the guide and every part under it, whatever the parts are called.
  routes: (v) => [{ path: v.base_path, type: 'prefix' }],
  detailsField(key) {
    const m = PART_KEY.exec(key);
    if (m) return `part-${m[1]}-${m[2]}`;
    return key === 'details.parts' || key === 'details' ? 'parts' : undefined;
  },
};
