import MarkdownIt from 'markdown-it';

// Rendering Markdown and then dropping the tags, rather than pattern-matching
// Markdown syntax, leaves exactly the words a reader sees.
const markdown = new MarkdownIt({ html: true, linkify: false });

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, name: string) => {
    if (name[0] === '#') {
      const code = name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : ' ';
    }
    return ENTITIES[name.toLowerCase()] ?? whole;
  });
}

/** The words of an HTML fragment: scripts and styles dropped, tags turned into spaces so words either side stay apart. */
export function htmlToText(html: string): string {
  const bare = html
    .replace(/<(script|style)\b[^>]*>[\s\S]*?<\/\1\s*>/gi, ' ')
    .replace(/<!--[\s\S]*?-->/g, ' ')
    .replace(/<[^>]*>/g, ' ');
  return decodeEntities(bare).replace(/\s+/g, ' ').trim();
}

/**
 * The words of a body as the content store presents it: HTML (what a
 * `text/html` alternative resolves to) or Markdown/govspeak. Anything that
 * starts with a tag is taken as HTML, since Markdown rendering would treat
 * indented HTML as code and keep its tags as text.
 */
export function bodyToText(body: string): string {
  const trimmed = body.trim();
  if (trimmed.startsWith('<')) return htmlToText(trimmed);
  return htmlToText(markdown.render(trimmed));
}
