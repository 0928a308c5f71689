import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GOVUK_FRONTEND_DIR } from '../platform/ui/assets.ts';

/**
 * The inline scripts of govuk-frontend's page template: the one line that
 * marks the body as having JavaScript. A page is cached and shared (the
 * frontend's page cache, `max-age`, the edge), so the policy allows it by its
 * hash rather than by a per-response nonce; read from the template itself, the
 * hash follows a govuk-frontend upgrade.
 */
export function templateInlineScripts(template = readFileSync(join(GOVUK_FRONTEND_DIR, 'dist/govuk/template.njk'), 'utf8')): string[] {
  return [...template.matchAll(/<script\b[^>]*>([^<]+)<\/script>/g)].map((m) => m[1]!);
}

const sha256 = (text: string) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

/**
 * Every page's Content-Security-Policy: scripts, styles, fonts and images
 * from the site itself only (content images are paths on it), the template's
 * inline script by hash, no plugins, no framing, forms that post back here.
 */
export function pageContentSecurityPolicy(inlineScripts: string[] = templateInlineScripts()): string {
  return [
    "default-src 'self'",
    `script-src 'self' ${inlineScripts.map(sha256).join(' ')}`.trim(),
    "style-src 'self'",
    "img-src 'self'",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}
