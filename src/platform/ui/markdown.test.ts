import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderMarkdown, slugify } from './markdown.ts';

test('raw HTML an editor writes is shown as text, never as markup', () => {
  const { html } = renderMarkdown('Hello <script>alert(1)</script>\n\n<img src=x onerror="alert(1)">\n\n<iframe src="https://evil.example"></iframe>');
  assert.doesNotMatch(html, /<script|<img|<iframe/);
  assert.match(html, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
  assert.match(html, /&lt;img src=x onerror=&quot;alert\(1\)&quot;&gt;/);
});

test('javascript:, vbscript: and data: links are not links', () => {
  const { html } = renderMarkdown('[a](javascript:alert(1)) [b](JaVaScRiPt:alert(1)) [c](vbscript:x) [d](data:text/html;base64,PHNjcmlwdD4=) <javascript:alert(1)>');
  assert.doesNotMatch(html, /href="(javascript|vbscript|data):/i);
  assert.doesNotMatch(html, /<a /);
});

test('links get the design system class; links off the site are marked external', () => {
  const { html } = renderMarkdown('[in](/keeping-bees) and [out](https://example.org/x)');
  assert.match(html, /<a href="\/keeping-bees" class="govuk-link">in<\/a>/);
  assert.match(html, /<a href="https:\/\/example.org\/x" class="govuk-link" rel="external">out<\/a>/);
});

test('headings get unique ids from their text, start at h2, and are listed', () => {
  const { html, headings } = renderMarkdown('# Top\n\n## How to *apply*?\n\n## How to apply\n\n### Details\n\n## Main content');
  assert.doesNotMatch(html, /<h1/);
  assert.match(html, /<h2 id="top" class="govuk-heading-l">Top<\/h2>/);
  assert.match(html, /<h2 id="how-to-apply" class="govuk-heading-l">How to <em>apply<\/em>\?<\/h2>/);
  assert.match(html, /<h3 id="details" class="govuk-heading-m">/);
  assert.deepEqual(headings.map((h) => [h.id, h.text, h.level]), [
    ['top', 'Top', 2],
    ['how-to-apply', 'How to apply?', 2],
    ['how-to-apply-2', 'How to apply', 2],
    ['details', 'Details', 3],
    // The layout's own skip-link target keeps its id.
    ['main-content-2', 'Main content', 2],
  ]);
});

test('blocks get the design system classes', () => {
  const { html } = renderMarkdown('Para\n\n- a\n- b\n\n1. one\n\n> said\n\n| a |\n|---|\n| 1 |');
  assert.match(html, /<p class="govuk-body">Para<\/p>/);
  assert.match(html, /<ul class="govuk-list govuk-list--bullet">/);
  assert.match(html, /<ol class="govuk-list govuk-list--number">/);
  assert.match(html, /<blockquote class="govuk-inset-text">/);
  assert.match(html, /<table class="govuk-table">/);
  assert.match(html, /<td class="govuk-table__cell">1<\/td>/);
});

test('slugify keeps letters and digits, folds accents and spaces', () => {
  assert.equal(slugify('Café  opening — hours 2024!'), 'cafe-opening-hours-2024');
  assert.equal(slugify('???'), 'section');
});
