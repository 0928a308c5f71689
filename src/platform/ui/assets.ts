import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, extname, join, relative } from 'node:path';
import type { FastifyReply, FastifyRequest } from 'fastify';

/** govuk-frontend's package root: its templates and compiled assets live under dist/. */
export const GOVUK_FRONTEND_DIR = dirname(createRequire(import.meta.url).resolve('govuk-frontend/package.json'));
const GOVUK = join(GOVUK_FRONTEND_DIR, 'dist', 'govuk');

const TYPES: Record<string, string> = {
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.json': 'application/manifest+json; charset=utf-8',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};

export interface Asset {
  body: Buffer;
  type: string;
}

export interface Assets {
  /** `/assets/<hash>`: where the templates point, changing whenever any asset does. */
  readonly prefix: string;
  /** The asset at a path under the prefix, e.g. `govuk-frontend.min.css`. */
  get(name: string): Asset | undefined;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));
}

/**
 * The design system's compiled CSS, JS, fonts and images, and the app's own
 * files from `ownDir`, held in memory under one fingerprint of them all. A
 * page names `/assets/<hash>/...`, so browsers and the edge may keep every
 * asset for a year: a new release of any file is a new address.
 */
export function loadAssets(ownDir: string): Assets {
  const sources = new Map<string, string>();
  for (const name of ['govuk-frontend.min.css', 'govuk-frontend.min.css.map', 'govuk-frontend.min.js', 'govuk-frontend.min.js.map']) {
    sources.set(name, join(GOVUK, name));
  }
  for (const file of filesUnder(join(GOVUK, 'assets'))) sources.set(relative(join(GOVUK, 'assets'), file), file);
  for (const file of filesUnder(ownDir)) sources.set(relative(ownDir, file), file);

  const names = [...sources.keys()].sort();
  const hash = createHash('sha256');
  const raw = new Map<string, Buffer>();
  for (const name of names) {
    const body = readFileSync(sources.get(name)!);
    raw.set(name, body);
    hash.update(name).update('\0').update(body);
  }
  const prefix = `/assets/${hash.digest('hex').slice(0, 12)}`;

  const assets = new Map<string, Asset>();
  for (const name of names) {
    let body = raw.get(name)!;
    // The compiled CSS points its fonts and images at /assets/; they live under the fingerprint here.
    if (name === 'govuk-frontend.min.css') body = Buffer.from(body.toString('utf8').replaceAll('url(/assets/', `url(${prefix}/`));
    assets.set(name, { body, type: TYPES[extname(name)] ?? 'application/octet-stream' });
  }
  return { prefix, get: (name) => assets.get(name) };
}

const IMMUTABLE = 'public, max-age=31536000, immutable';

/** The handler for `/assets/:hash/*`: a year's caching for the current hash, a short-lived 404 for any other. */
export function assetHandler(assets: Assets) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const { hash, '*': name } = request.params as { hash: string; '*': string };
    const asset = `/assets/${hash}` === assets.prefix ? assets.get(name) : undefined;
    if (!asset) return reply.code(404).header('cache-control', 'public, max-age=60').type('text/plain; charset=utf-8').send('no such asset\n');
    return reply.header('cache-control', IMMUTABLE).header('x-content-type-options', 'nosniff').type(asset.type).send(asset.body);
  };
}
