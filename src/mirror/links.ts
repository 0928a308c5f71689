import { Parser } from 'htmlparser2';

/** The attribute that holds a link, per element the crawler follows. */
const LINK_ATTRIBUTES: Record<string, string> = { a: 'href', link: 'href', img: 'src', script: 'src' };

/**
 * Every link of an HTML page, resolved against the page URL (or its
 * `<base href>`): `a[href]`, `link[href]`, `img[src]`, `script[src]`, and
 * `url(...)` in its `<style>` elements. Unparseable URLs are left out.
 */
export function htmlLinks(html: string, pageUrl: string): URL[] {
  let base = pageUrl;
  const found: URL[] = [];
  const add = (ref: string, against = base) => {
    const url = resolve(ref, against);
    if (url) found.push(url);
  };
  let styleText: string | undefined;
  const parser = new Parser(
    {
      onopentag(name, attributes) {
        if (name === 'base' && attributes.href) {
          base = resolve(attributes.href, pageUrl)?.href ?? base;
          return;
        }
        if (name === 'style') styleText = '';
        const attribute = LINK_ATTRIBUTES[name];
        const value = attribute ? attributes[attribute] : undefined;
        if (value !== undefined && value.trim() !== '') add(value.trim());
      },
      ontext(text) {
        if (styleText !== undefined) styleText += text;
      },
      onclosetag(name) {
        if (name === 'style' && styleText !== undefined) {
          for (const ref of cssReferences(styleText)) add(ref);
          styleText = undefined;
        }
      },
    },
    { decodeEntities: true },
  );
  parser.write(html);
  parser.end();
  return found;
}

/** `url(...)` and `@import "..."` references of a stylesheet, resolved against its URL. */
export function cssLinks(css: string, sheetUrl: string): URL[] {
  return cssReferences(css).flatMap((ref) => resolve(ref, sheetUrl) ?? []);
}

function cssReferences(css: string): string[] {
  const refs: string[] = [];
  const withoutComments = css.replace(/\/\*[\s\S]*?\*\//g, '');
  for (const m of withoutComments.matchAll(/url\(\s*(?:"([^"]*)"|'([^']*)'|([^)'"\s]*))\s*\)/gi)) refs.push(m[1] ?? m[2] ?? m[3] ?? '');
  for (const m of withoutComments.matchAll(/@import\s+(?:"([^"]*)"|'([^']*)')/gi)) refs.push(m[1] ?? m[2] ?? '');
  return refs.filter((r) => r !== '' && !r.startsWith('data:'));
}

function resolve(ref: string, against: string): URL | undefined {
  try {
    return new URL(ref, against);
  } catch {
    return undefined;
  }
}
