import { createServer, type Server } from 'node:http';
import { request } from 'undici';

function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

interface Item {
  title?: string | null;
  description?: string | null;
  document_type?: string;
  details?: { body?: unknown };
}

/** The content item at `path`, or the status the content store answered instead. */
async function fetchItem(contentStoreUrl: string, path: string): Promise<Item | number> {
  try {
    const res = await request(`${contentStoreUrl.replace(/\/$/, '')}/content${path}`, { headersTimeout: 2000, bodyTimeout: 2000 });
    if (res.statusCode !== 200) {
      await res.body.dump();
      return res.statusCode;
    }
    return (await res.body.json()) as Item;
  } catch {
    return 502;
  }
}

/**
 * Stands in for the rendering apps until the frontend exists, so a fresh
 * `npm start` has pages to route to. It shows what reached it and the content
 * item the content store holds for the path, which makes the router and the
 * publishing pipeline visible in a browser.
 */
export function createPlaceholderApp(stack: string, contentStoreUrl?: string): Server {
  return createServer(async (req, res) => {
    if (req.url === '/healthcheck/live' || req.url === '/healthcheck/ready') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"status":"ok"}');
      return;
    }
    const path = (req.url ?? '/').split('?')[0]!;
    const item = contentStoreUrl ? await fetchItem(contentStoreUrl, path) : undefined;
    const content =
      item === undefined ? ''
      : typeof item === 'number' ? `<p>The ${escapeHtml(stack)} content store answered ${item} for this path.</p>`
      : `<article>
<h2>${escapeHtml(item.title ?? '')}</h2>
<p><em>${escapeHtml(item.description ?? '')}</em> (${escapeHtml(item.document_type ?? '')})</p>
${typeof item.details?.body === 'string' ? `<pre>${escapeHtml(item.details.body)}</pre>` : ''}
</article>`;
    const body = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Portico</title></head>
<body>
<h1>Portico ${escapeHtml(stack)} site</h1>
<p>The ${escapeHtml(stack)} router sent <code>${escapeHtml(req.method ?? '')} ${escapeHtml(req.url ?? '')}</code> here.</p>
<p>Request id: <code>${escapeHtml(String(req.headers['portico-request-id'] ?? ''))}</code></p>
${content}
<p>Rendering apps replace this placeholder in a later release.</p>
</body></html>
`;
    res.writeHead(200, {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': stack === 'live' ? 'public, max-age=300' : 'no-cache, private',
      'content-length': Buffer.byteLength(body),
    });
    res.end(req.method === 'HEAD' ? undefined : body);
  });
}
