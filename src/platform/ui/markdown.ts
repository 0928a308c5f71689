import MarkdownIt from 'markdown-it';
import type StateCore from 'markdown-it/lib/rules_core/state_core.mjs';
import type Token from 'markdown-it/lib/token.mjs';

/** A heading of the rendered body, for contents lists and in-page links. */
export interface Heading {
  id: string;
  text: string;
  level: number;
}

export interface RenderedMarkdown {
  html: string;
  headings: Heading[];
}

interface RenderEnv {
  headings: Heading[];
  ids: Map<string, number>;
}

/**
 * Editors' Markdown. `html: false` escapes any raw HTML an editor writes, and
 * markdown-it's link validation drops javascript:, vbscript: and file: URLs,
 * so nothing but Markdown's own constructs reaches the page.
 */
const md = new MarkdownIt({ html: false, linkify: true, typographer: false });

/** The design system styles only classed elements, so each block gets its govuk-frontend class. */
const CLASSES: Record<string, string> = {
  paragraph_open: 'govuk-body',
  bullet_list_open: 'govuk-list govuk-list--bullet',
  ordered_list_open: 'govuk-list govuk-list--number',
  blockquote_open: 'govuk-inset-text',
  hr: 'govuk-section-break govuk-section-break--l govuk-section-break--visible',
  table_open: 'govuk-table',
  thead_open: 'govuk-table__head',
  tbody_open: 'govuk-table__body',
  tr_open: 'govuk-table__row',
  th_open: 'govuk-table__header',
  td_open: 'govuk-table__cell',
  link_open: 'govuk-link',
};

const HEADING_CLASSES: Record<string, string> = { h2: 'govuk-heading-l', h3: 'govuk-heading-m' };

/** `How to apply?` gives `how-to-apply`: the ids GOV.UK's pages use, so links to #how-to-apply keep working. */
export function slugify(text: string): string {
  return text
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^a-z0-9\s-]/g, '')
    .trim()
    .replace(/[\s-]+/g, '-') || 'section';
}

function plainText(inline: Token | undefined): string {
  return (inline?.children ?? [])
    .filter((t) => t.type === 'text' || t.type === 'code_inline')
    .map((t) => t.content)
    .join('')
    .trim();
}

function uniqueId(env: RenderEnv, base: string): string {
  const seen = env.ids.get(base) ?? 0;
  env.ids.set(base, seen + 1);
  return seen === 0 ? base : `${base}-${seen + 1}`;
}

function decorate(token: Token): void {
  const cls = CLASSES[token.type];
  if (cls) token.attrJoin('class', cls);
  if (token.type === 'link_open' && /^https?:\/\//i.test(token.attrGet('href') ?? '')) token.attrSet('rel', 'external');
}

/**
 * The page's only h1 is its title, so body headings start at h2. Each gets an
 * id from its text (unique within the body) and is listed for the contents.
 */
function headingsRule(state: StateCore): void {
  const env = state.env as RenderEnv;
  const tokens = state.tokens;
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    decorate(token);
    for (const child of token.children ?? []) decorate(child);
    if (token.type !== 'heading_open') continue;
    const level = Math.max(2, Number(token.tag.slice(1)));
    const close = tokens.slice(i).find((t) => t.type === 'heading_close')!;
    token.tag = close.tag = `h${level}`;
    const text = plainText(tokens[i + 1]);
    const id = uniqueId(env, slugify(text));
    token.attrSet('id', id);
    token.attrJoin('class', HEADING_CLASSES[token.tag] ?? 'govuk-heading-s');
    env.headings.push({ id, text, level });
  }
}

md.core.ruler.push('portico_headings', headingsRule);

/** Ids the page layout uses itself; a body heading with the same text gets a suffix instead. */
const LAYOUT_IDS = ['main-content', 'page-title', 'contents', 'related-links', 'full-history', 'search-results'];

/** Renders editors' Markdown to safe HTML, with the headings it holds. */
export function renderMarkdown(source: string): RenderedMarkdown {
  const env: RenderEnv = { headings: [], ids: new Map(LAYOUT_IDS.map((id) => [id, 1])) };
  const html = md.render(source, env);
  return { html, headings: env.headings };
}
