import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { httpPreviewLinks, PreviewLinkUnavailable } from './preview-links.ts';

let server: Server;
let origin: string;
const seen: { method?: string; url?: string; body: string; requestId?: string; authorization?: string }[] = [];
let answer: { status: number; body: string } = { status: 200, body: '' };

before(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      seen.push({ method: req.method, url: req.url, body, requestId: req.headers['portico-request-id'] as string | undefined, authorization: req.headers.authorization });
      res.writeHead(answer.status, { 'content-type': 'application/json' }).end(answer.body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(() => server.close());

test("asks the authenticating proxy's API for a link to the draft", async () => {
  answer = { status: 201, body: JSON.stringify({ url: `${origin}/bees?token=abc`, expires_at: '2030-01-01T00:00:00Z' }) };
  const link = await httpPreviewLinks(origin).create({ auth_bypass_id: 'k', base_path: '/bees' }, 'req-1', 'signon-token');
  assert.deepEqual(link, { url: `${origin}/bees?token=abc`, expires_at: '2030-01-01T00:00:00Z' });
  assert.deepEqual(seen.at(-1), { method: 'POST', url: '/api/preview-links', body: '{"auth_bypass_id":"k","base_path":"/bees"}', requestId: 'req-1', authorization: 'Bearer signon-token' });
});

test('a refusal, a malformed answer or no proxy at all is PreviewLinkUnavailable', async () => {
  const client = httpPreviewLinks(origin);
  answer = { status: 403, body: '{"error":{"code":"forbidden"}}' };
  await assert.rejects(client.create({ auth_bypass_id: 'k', base_path: '/bees' }, 'r', undefined), PreviewLinkUnavailable);
  answer = { status: 200, body: '{"url": 1}' };
  await assert.rejects(client.create({ auth_bypass_id: 'k', base_path: '/bees' }, 'r', undefined), PreviewLinkUnavailable);
  await assert.rejects(httpPreviewLinks('http://127.0.0.1:1').create({ auth_bypass_id: 'k', base_path: '/bees' }, 'r', undefined), PreviewLinkUnavailable);
});
