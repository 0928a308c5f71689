/**
 * The content item as the frontend reads it from `GET /content/<path>`. The
 * content store is another service, so this is the frontend's own view of the
 * wire: only the fields it renders, each checked where it is read, because an
 * item stored by an older Publishing API may lack any of them.
 */

export interface ExpandedLink {
  content_id?: string;
  title?: string | null;
  base_path?: string | null;
  document_type?: string;
  description?: string | null;
  public_updated_at?: string | null;
  details?: Record<string, unknown>;
  links?: Record<string, ExpandedLink[]>;
}

export interface ContentItem {
  base_path: string;
  content_id?: string;
  title: string | null;
  description: string | null;
  schema_name: string;
  document_type: string;
  locale?: string;
  phase?: string;
  details: Record<string, unknown>;
  links: Record<string, ExpandedLink[]>;
  first_published_at?: string | null;
  public_updated_at?: string | null;
  withdrawn_notice?: { explanation?: string; withdrawn_at?: string } | null;
  /** Only on redirect items, which the routers normally answer before a frontend sees them. */
  redirects?: { path: string; type: string; destination: string; redirect_type?: string }[];
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The body as an item, or undefined when it is not shaped like one. */
export function parseContentItem(body: unknown): ContentItem | undefined {
  if (!isObject(body) || typeof body.base_path !== 'string' || typeof body.schema_name !== 'string') return undefined;
  return {
    ...(body as unknown as ContentItem),
    title: typeof body.title === 'string' ? body.title : null,
    description: typeof body.description === 'string' ? body.description : null,
    document_type: typeof body.document_type === 'string' ? body.document_type : body.schema_name,
    details: isObject(body.details) ? body.details : {},
    links: isObject(body.links) ? (body.links as Record<string, ExpandedLink[]>) : {},
  };
}

/** The expanded links of one type that have somewhere to link to. */
export function linksOf(links: Record<string, ExpandedLink[]> | undefined, type: string): (ExpandedLink & { base_path: string; title: string })[] {
  const list = links?.[type];
  if (!Array.isArray(list)) return [];
  return list.filter((l): l is ExpandedLink & { base_path: string; title: string } =>
    isObject(l) && typeof l.base_path === 'string' && typeof l.title === 'string');
}

/** A string field of details, or undefined. */
export function detailString(details: Record<string, unknown> | undefined, key: string): string | undefined {
  const v = details?.[key];
  return typeof v === 'string' && v.trim() !== '' ? v : undefined;
}

/** A details object field, or undefined. */
export function detailObject(details: Record<string, unknown> | undefined, key: string): Record<string, unknown> | undefined {
  const v = details?.[key];
  return isObject(v) ? v : undefined;
}

/** A details array field, its object members only. */
export function detailList(details: Record<string, unknown> | undefined, key: string): Record<string, unknown>[] {
  const v = details?.[key];
  return Array.isArray(v) ? v.filter(isObject) : [];
}

/**
 * The Markdown of a body field. The content store hands a multi-type body on
 * unchanged when it has no text/html entry; then the Markdown entry is the one
 * to render.
 */
export function bodyMarkdown(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) {
    const md = value.find((v) => isObject(v) && v.content_type === 'text/markdown' && typeof v.content === 'string');
    if (md) return md.content as string;
  }
  return undefined;
}
