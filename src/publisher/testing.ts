// Drives the editors' app as a browser would, through inject: a cookie jar,
// and forms posted with the CSRF token of the page they were on.
import type { FastifyInstance } from 'fastify';
import { silentLogger } from '../platform/log.ts';
import { createPublisher, type PublisherService } from './index.ts';
import type { PreviewLinks } from './preview-links.ts';
import type { PublishingApi } from './publishing-api-client.ts';
import { PUBLISHER_PERMISSIONS, type User } from './users.ts';

export const EDITOR: User = { uid: 'u-editor', name: 'Ed Itor', email: 'ed@example.org', organisation_slug: 'dra', permissions: [PUBLISHER_PERMISSIONS.editor] };
export const MANAGING_EDITOR: User = { ...EDITOR, uid: 'u-managing', name: 'Meg Managing', permissions: [PUBLISHER_PERMISSIONS.managingEditor] };
export const NOBODY: User = { ...EDITOR, uid: 'u-none', name: 'No Permissions', permissions: ['signin'] };

/** A stub for single sign-on: the user is whoever the `x-test-user` header names. */
export function testPublisher(api: PublishingApi, previewLinks: PreviewLinks, users: User[] = [EDITOR, MANAGING_EDITOR, NOBODY]): PublisherService {
  return createPublisher({
    log: silentLogger(),
    publishingApiUrl: 'http://unused.invalid',
    publishingApiToken: 'unused',
    draftOriginUrl: 'http://draft-origin.test',
    api,
    previewLinks,
    auth: {
      currentUser: async (req) => users.find((u) => u.uid === req.headers['x-test-user']) ?? null,
      accessToken: async (req) => `signon-token-of-${req.headers['x-test-user']}`,
    },
  });
}

export interface Page {
  status: number;
  body: string;
  location?: string;
}

export type Fields = Record<string, string | string[]>;

export interface Browser {
  get(url: string): Promise<Page>;
  /** Posts `fields` with the CSRF token of the page last fetched, as submitting a form on it would. */
  post(url: string, fields: Fields): Promise<Page>;
  /** The form fields a page's form (by action) would post, as the browser would fill them in. */
  formOf(page: Page, action: string): Fields;
}

function decode(s: string): string {
  return s.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

export function browser(app: FastifyInstance, user: User | null): Browser {
  const jar = new Map<string, string>();
  let csrf = '';
  const headers = () => ({
    ...(user ? { 'x-test-user': user.uid } : {}),
    cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; '),
  });
  const keep = (res: { statusCode: number; body: string; headers: Record<string, unknown> }): Page => {
    const setCookie = res.headers['set-cookie'];
    for (const c of (Array.isArray(setCookie) ? setCookie : setCookie ? [setCookie] : []) as string[]) {
      const [pair] = c.split(';');
      const eq = pair!.indexOf('=');
      jar.set(pair!.slice(0, eq), pair!.slice(eq + 1));
    }
    const token = /name="_csrf" value="([^"]+)"/.exec(res.body);
    if (token) csrf = decode(token[1]!);
    return { status: res.statusCode, body: res.body, location: res.headers.location as string | undefined };
  };
  return {
    async get(url) {
      return keep(await app.inject({ method: 'GET', url, headers: headers() }));
    },
    async post(url, fields) {
      const body = new URLSearchParams();
      for (const [k, v] of Object.entries({ _csrf: csrf, ...fields })) for (const one of Array.isArray(v) ? v : [v]) body.append(k, one);
      return keep(await app.inject({ method: 'POST', url, headers: { ...headers(), 'content-type': 'application/x-www-form-urlencoded' }, payload: body.toString() }));
    },
    formOf(page, action) {
      const start = page.body.indexOf(`action="${action}"`);
      if (start === -1) throw new Error(`no form posts to ${action}`);
      const html = page.body.slice(start, page.body.indexOf('</form>', start));
      const fields: Record<string, string[]> = {};
      const add = (name: string, value: string) => (fields[name] ??= []).push(decode(value));
      for (const m of html.matchAll(/<input([^>]*)>/g)) {
        const attrs = m[1]!;
        const name = /name="([^"]+)"/.exec(attrs)?.[1];
        if (!name || name === '_csrf') continue;
        if (/type="(checkbox|radio)"/.test(attrs) && !/\bchecked\b/.test(attrs)) continue;
        add(name, /value="([^"]*)"/.exec(attrs)?.[1] ?? '');
      }
      for (const m of html.matchAll(/<textarea[^>]*name="([^"]+)"[^>]*>([\s\S]*?)<\/textarea>/g)) add(m[1]!, m[2]!.replace(/^\n/, ''));
      for (const m of html.matchAll(/<select[^>]*name="([^"]+)"[^>]*>([\s\S]*?)<\/select>/g)) {
        const selected = /<option value="([^"]*)"[^>]*selected/.exec(m[2]!) ?? /<option value="([^"]*)"/.exec(m[2]!);
        if (selected) add(m[1]!, selected[1]!);
      }
      return fields;
    },
  };
}
