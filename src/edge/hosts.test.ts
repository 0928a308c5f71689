import { test } from 'node:test';
import assert from 'node:assert/strict';
import { APEX, bareHost, hostClassifier, RETIRED, UNKNOWN, WWW } from './hosts.ts';

test('bare host: case, port, IPv6 brackets and a trailing dot', () => {
  assert.equal(bareHost('WWW.Example.org:8080'), 'www.example.org');
  assert.equal(bareHost('[::1]:8080'), '[::1]');
  assert.equal(bareHost('example.org.'), 'example.org');
  assert.equal(bareHost('localhost'), 'localhost');
});

test('hosts are www, apex, a retired site or unknown', () => {
  const retired = new Set(['old-agency.example.org']);
  const classify = hostClassifier({
    www: ['www.example.org', 'localhost', '127.0.0.1'],
    apex: ['example.org'],
    bouncer: { servesHost: (h) => retired.has(h) },
  });
  assert.equal(classify('www.example.org'), WWW);
  assert.equal(classify('WWW.EXAMPLE.ORG:443'), WWW);
  assert.equal(classify('localhost:8080'), WWW);
  assert.equal(classify('127.0.0.1:8080'), WWW);
  assert.equal(classify(undefined), WWW, 'HTTP/1.0 without Host');
  assert.equal(classify('example.org'), APEX);
  assert.equal(classify('old-agency.example.org'), RETIRED);
  assert.equal(classify('elsewhere.example.com'), UNKNOWN);
  retired.add('elsewhere.example.com');
  assert.equal(classify('elsewhere.example.com'), RETIRED, 'a site imported while the edge runs');
});
