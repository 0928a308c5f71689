/** Every mirror object lives under this prefix of the object store. */
export const MIRROR_PREFIX = 'mirror/';

/**
 * Extensions a path keeps as it is; any other path is a page and gets `.html`
 * (GOV.UK's CDN asks its mirror buckets for the same names).
 */
export const DOCUMENT_EXTENSIONS: ReadonlySet<string> = new Set([
  'html', 'htm', 'css', 'js', 'mjs', 'map', 'json', 'xml', 'txt', 'csv', 'ics', 'atom', 'rss',
  'pdf', 'odt', 'ods', 'odp', 'doc', 'docx', 'xls', 'xlsx', 'ppt', 'pptx', 'rtf', 'zip',
  'png', 'jpg', 'jpeg', 'gif', 'svg', 'ico', 'webp', 'avif', 'bmp', 'woff', 'woff2', 'ttf', 'otf', 'eot', 'mp3', 'mp4', 'webm',
]);

function hasDocumentExtension(segment: string): boolean {
  const dot = segment.lastIndexOf('.');
  return dot > 0 && DOCUMENT_EXTENSIONS.has(segment.slice(dot + 1).toLowerCase());
}

/**
 * The decoded segments of a path, `//` collapsed, query and fragment dropped;
 * undefined when a segment cannot be an object key segment (`.`, `..`, a
 * decoded `/`, NUL, a backslash, bad percent-encoding).
 */
function segmentsOf(path: string): { segments: string[]; trailingSlash: boolean } | undefined {
  if (!path.startsWith('/')) return undefined;
  const bare = path.replace(/[?#].*$/s, '').replace(/\/{2,}/g, '/');
  const raw = bare.split('/').slice(1);
  const trailingSlash = raw.at(-1) === '';
  const segments: string[] = [];
  for (const part of trailingSlash ? raw.slice(0, -1) : raw) {
    let decoded: string;
    try {
      decoded = decodeURIComponent(part);
    } catch {
      return undefined;
    }
    if (decoded === '' || decoded === '.' || decoded === '..' || /[/\\\0]/.test(decoded)) return undefined;
    segments.push(decoded);
  }
  return { segments, trailingSlash };
}

/**
 * The object key of a public path's saved copy: `/` is `mirror/index.html`,
 * `/a/b` is `mirror/a/b.html`, `/a/b/` is `mirror/a/b/index.html`, and a path
 * with a document extension (`/x.css`) keeps it. The query string is ignored.
 * Undefined for a path that cannot be saved (not absolute, or with `..`).
 */
export function mirrorKey(path: string): string | undefined {
  const parsed = segmentsOf(path);
  if (!parsed) return undefined;
  const { segments, trailingSlash } = parsed;
  if (segments.length === 0) return `${MIRROR_PREFIX}index.html`;
  if (trailingSlash) return `${MIRROR_PREFIX}${segments.join('/')}/index.html`;
  const last = segments.at(-1)!;
  return `${MIRROR_PREFIX}${segments.join('/')}${hasDocumentExtension(last) ? '' : '.html'}`;
}

/**
 * The object key a request to the mirror server names, as a static bucket
 * reads it: `/guidance/x.html` is `mirror/guidance/x.html`, nothing added.
 */
export function bucketKey(requestPath: string): string | undefined {
  const parsed = segmentsOf(requestPath);
  if (!parsed || parsed.segments.length === 0 || parsed.trailingSlash) return undefined;
  return `${MIRROR_PREFIX}${parsed.segments.join('/')}`;
}
