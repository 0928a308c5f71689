import type { FieldErrors } from '../platform/api.ts';
import type { SchemaForm } from './forms/schema-form.ts';
import type { DocumentValues } from './forms/values.ts';

/** The GOV.UK error summary's items, and the message beside each field. */
export interface FormErrors {
  summary: { text: string; href?: string }[];
  /** Form control id to the message shown beside it. */
  fields: Record<string, string>;
}

export const noErrors = (): FormErrors => ({ summary: [], fields: {} });

export function hasErrors(e: FormErrors): boolean {
  return e.summary.length > 0;
}

/** Adds one message for a field (the first wins: one message per field is what the pattern asks for). */
export function addError(errors: FormErrors, field: string | undefined, text: string): void {
  if (field) {
    if (errors.fields[field]) return;
    errors.fields[field] = text;
    errors.summary.push({ text, href: `#${field}` });
  } else if (!errors.summary.some((s) => s.text === text)) {
    errors.summary.push({ text });
  }
}

// The API's reasons read as the end of a sentence about the field ("must not be blank").
const REASON = /^(is|are|must|should|does|do|has|have|cannot|can't|not)\b/;

function sentence(label: string, reason: string): string {
  if (REASON.test(reason)) return `${label} ${reason}`;
  return reason.charAt(0).toUpperCase() + reason.slice(1);
}

/** The form control an API error key belongs to: routes follow the base path they are made from. */
function fieldOf(form: SchemaForm, key: string): string | undefined {
  if (key === 'title' || key === 'description' || key === 'base_path') return key;
  if (/^(routes|redirects)\b/.test(key)) return 'base_path';
  if (key.startsWith('details')) return form.detailsField(key);
  return undefined;
}

/**
 * A Publishing API 422's `fields` as the form shows them, in the order of the
 * form's fields. A key no field stands for (previous_version, schema_name)
 * still reaches the summary, so nothing the API said is hidden.
 */
export function mapApiErrors(form: SchemaForm, values: DocumentValues, fields: FieldErrors, message: string): FormErrors {
  const labels = new Map(form.fields(values).map((f) => [f.id, f.label]));
  labels.set('parts', 'Parts');
  const order = [...labels.keys()];
  const mapped = Object.entries(fields).map(([key, reasons]) => {
    const field = fieldOf(form, key);
    let reason = reasons[0] ?? 'is not valid';
    // A path another document holds is said in the editor's terms, not as content_ids.
    if (field === 'base_path' && /conflicts with|reserved by/.test(reason)) reason = `is already used by another document (${values.base_path})`;
    return { field, own: field === key, text: sentence(field ? labels.get(field) ?? key : key, reason) };
  });
  // A field's own error comes before one derived from it (base_path's before its routes').
  mapped.sort((a, b) => rank(order, a.field) - rank(order, b.field) || Number(b.own) - Number(a.own));
  const errors = noErrors();
  for (const m of mapped) addError(errors, m.field, m.text);
  if (!hasErrors(errors)) addError(errors, undefined, message);
  return errors;
}

function rank(order: string[], field: string | undefined): number {
  const i = field ? order.indexOf(field) : -1;
  return i === -1 ? order.length : i;
}
