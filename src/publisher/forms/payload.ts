import type { Content } from '../publishing-api-client.ts';
import type { SchemaForm } from './schema-form.ts';
import type { DocumentValues } from './values.ts';

export const PUBLISHING_APP = 'publisher';
const RENDERING_APP = 'frontend';

export type PayloadResult = { payload: Record<string, unknown> } | { problem: { field: string; message: string } };

/**
 * The `PUT /v2/content` body for what the editor typed. Fields the form does
 * not edit (phase, edition links, analytics id) are carried over from the
 * saved edition, so a save through the form never drops them.
 */
export function buildPayload(form: SchemaForm, values: DocumentValues, saved: Content | null, change?: { update_type: 'major' | 'minor'; change_note: string }): PayloadResult {
  const result = form.details(values, saved?.details ?? {});
  if ('problem' in result) return result;
  const { details } = result;
  const links = saved?.links;
  const payload: Record<string, unknown> = {
    schema_name: form.schema_name,
    document_type: values.document_type,
    title: values.title,
    description: values.description || null,
    base_path: values.base_path,
    details,
    routes: form.routes(values),
    publishing_app: PUBLISHING_APP,
    rendering_app: RENDERING_APP,
    locale: 'en',
    update_type: change?.update_type ?? saved?.update_type ?? 'major',
    auth_bypass_ids: [values.auth_bypass_id],
    ...(saved?.phase ? { phase: saved.phase } : {}),
    ...(saved?.analytics_identifier ? { analytics_identifier: saved.analytics_identifier } : {}),
    ...(links && Object.keys(links).length ? { links } : {}),
    ...(change?.update_type === 'major' ? { change_note: change.change_note } : {}),
    ...(values.lock_version !== null ? { previous_version: values.lock_version } : {}),
  };
  return { payload };
}
