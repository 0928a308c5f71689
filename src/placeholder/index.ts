import { createServer, type Server } from 'node:http';

function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/**
 * Stands in for the rendering apps until the frontend exists, so a fresh
 * `npm start` has pages to route to. It shows what reached it, which makes
 * the router's behaviour visible in a browser.
 */
export function createPlaceholderApp(stack: string): Server {
  return createServer((req, res) => {
    if (req.url === '/healthcheck/live' || req.url === '/healthcheck/ready') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"status":"ok"}');
      return;
    }
    const body = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Portico</title></head>
<body>
<h1>Portico ${escapeHtml(stack)} site</h1>
<p>The ${escapeHtml(stack)} router sent <code>${escapeHtml(req.method ?? '')} ${escapeHtml(req.url ?? '')}</code> here.</p>
<p>Request id: <code>${escapeHtml(String(req.headers['portico-request-id'] ?? ''))}</code></p>
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
