import { randomUUID } from 'node:crypto';
import type { Content } from '../publishing-api-client.ts';

export interface Part {
  title: string;
  slug: string;
  body: string;
}

/**
 * Everything the edit form holds, as text, whatever the schema: what the
 * editor typed is kept exactly, so a failed save or a conflict loses nothing.
 */
export interface DocumentValues {
  content_id: string;
  schema_name: string;
  document_type: string;
  title: string;
  description: string;
  base_path: string;
  body: string;
  parts: Part[];
  image_url: string;
  image_alt: string;
  /** The details of a schema without its own form, as JSON. */
  details_json: string;
  /** The lock_version the editor's text is based on; null until the document exists. */
  lock_version: number | null;
  /** Lets a preview link show this draft to someone not signed in; kept across saves so links keep working. */
  auth_bypass_id: string;
}

export type PostedForm = Record<string, string | string[] | undefined>;

export function one(form: PostedForm, name: string): string {
  const v = form[name];
  return (Array.isArray(v) ? v[0] : v) ?? '';
}

export function many(form: PostedForm, name: string): string[] {
  const v = form[name];
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

/** Browsers send CRLF line ends from a textarea; the saved text uses LF, so the two compare equal. */
const text = (s: string) => s.replace(/\r\n?/g, '\n');

/** Markdown from a body that is a string or a list of content types (the text/markdown one). */
export function markdownOf(body: unknown): string {
  if (typeof body === 'string') return body;
  if (!Array.isArray(body)) return '';
  const types = body as { content_type?: string; content?: string }[];
  return (types.find((t) => t.content_type === 'text/markdown') ?? types[0])?.content ?? '';
}

export function blankValues(contentId: string, schemaName: string, documentType: string): DocumentValues {
  return {
    content_id: contentId,
    schema_name: schemaName,
    document_type: documentType,
    title: '',
    description: '',
    base_path: '',
    body: '',
    parts: [],
    image_url: '',
    image_alt: '',
    details_json: '{}',
    lock_version: null,
    auth_bypass_id: randomUUID(),
  };
}

/** The saved document as the form shows it. */
export function valuesFromContent(c: Content): DocumentValues {
  const details = c.details ?? {};
  const image = (details.image ?? {}) as { url?: string; alt_text?: string };
  const parts = Array.isArray(details.parts) ? (details.parts as Partial<Part>[]) : [];
  return {
    content_id: c.content_id,
    schema_name: c.schema_name,
    document_type: c.document_type,
    title: c.title ?? '',
    description: c.description ?? '',
    base_path: c.base_path ?? '',
    body: markdownOf(details.body),
    parts: parts.map((p) => ({ title: p.title ?? '', slug: p.slug ?? '', body: markdownOf(p.body) })),
    image_url: image.url ?? '',
    image_alt: image.alt_text ?? '',
    details_json: JSON.stringify(details, null, 2),
    lock_version: c.lock_version,
    auth_bypass_id: c.auth_bypass_ids?.[0] ?? randomUUID(),
  };
}

/** What the editor posted. The parts arrive as parallel lists, one entry per part, in order. */
export function valuesFromForm(contentId: string, form: PostedForm): DocumentValues {
  const titles = many(form, 'part_title');
  const slugs = many(form, 'part_slug');
  const bodies = many(form, 'part_body');
  const lock = Number.parseInt(one(form, 'lock_version'), 10);
  return {
    content_id: contentId,
    schema_name: one(form, 'schema_name'),
    document_type: one(form, 'document_type'),
    title: one(form, 'title'),
    description: text(one(form, 'description')),
    base_path: one(form, 'base_path').trim(),
    body: text(one(form, 'body')),
    parts: titles.map((title, i) => ({ title, slug: (slugs[i] ?? '').trim(), body: text(bodies[i] ?? '') })),
    image_url: one(form, 'image_url').trim(),
    image_alt: one(form, 'image_alt'),
    details_json: text(one(form, 'details_json')),
    lock_version: Number.isInteger(lock) ? lock : null,
    auth_bypass_id: one(form, 'auth_bypass_id') || randomUUID(),
  };
}
