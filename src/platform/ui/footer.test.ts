import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createNunjucks } from './nunjucks.ts';

const render = (params: Record<string, unknown>) =>
  createNunjucks([]).renderString('{% from "portico/footer.njk" import porticoFooter %}{{ porticoFooter(params) }}', { params });

test("the platform's footer has its links and notice, and none of GOV.UK's crown, licence or Crown copyright", () => {
  const html = render({ links: [{ href: '/search', text: 'Search' }], text: 'A platform <b>modelled</b> on GOV.UK.', copyright: '© Portico' });
  assert.match(html, /<a class="govuk-footer__link" href="\/search">Search<\/a>/);
  assert.match(html, /A platform &lt;b&gt;modelled&lt;\/b&gt; on GOV\.UK\./, 'the notice is text');
  assert.match(html, /© Portico/);
  assert.doesNotMatch(html, /crown|licence-logo|nationalarchives|<svg/i);
});
