import { test } from 'node:test';
import assert from 'node:assert/strict';
import { redirectLocation } from './redirect.ts';

// [to, preserve, request path, request query, matched depth, expected Location]
const CASES: [string, boolean, string, string, number, string][] = [
  ['/bar', false, '/foo', '', 1, '/bar'],
  ['/bar', false, '/foo', '?baz=qux', 1, '/bar'],
  ['/qux', true, '/preserve-query', '?foo=bar', 1, '/qux?foo=bar'],
  ['/bar?query=true', false, '/foo', '', 1, '/bar?query=true'],
  ['/bar#section', false, '/foo', '', 1, '/bar#section'],
  ['/bar', true, '/foo', '', 1, '/bar'],
  ['/bar', true, '/foo/baz', '', 1, '/bar/baz'],
  ['/bar', true, '/foo?baz=qux', '?baz=qux', 1, '/bar?baz=qux'],
  ['/baz', false, '/qux/quux', '?foo=bar', 1, '/baz'],
  ['/bar%20baz', true, '/foo%20bar/something', '', 1, '/bar%20baz/something'],
  ['/target', true, '/source/path/subpath', '?q1=a&q2=b', 1, '/target/path/subpath?q1=a&q2=b'],
  ['/target', false, '/source/path/subpath', '?_ga=dontbeevil', 1, '/target?_ga=dontbeevil'],
  ['/bar', true, '/foo//baz', '', 1, '/bar/baz'],
  ['/bar', true, '//foo/baz', '', 1, '/bar/baz'],
  ['/bar', true, '/foo/', '', 1, '/bar/'],
  ['http://foo.example.com/foo', false, '/foo', '?foo=qux', 1, 'http://foo.example.com/foo'],
  ['http://bar.example.com/bar', true, '/bar/baz', '', 1, 'http://bar.example.com/bar/baz'],
  ['http://bar.example.com/bar', true, '/bar', '?baz=qux', 1, 'http://bar.example.com/bar?baz=qux'],
  ['https://hmrc.service.gov.uk/pay', false, '/foo', '?_ga=identifier&blah=xyz', 1, 'https://hmrc.service.gov.uk/pay?_ga=identifier'],
  ['https://bar.service.gov.uk/bar', true, '/bar', '?wanted=param&_ga=xyz&blah=xyz', 1, 'https://bar.service.gov.uk/bar?wanted=param&_ga=xyz&blah=xyz'],
  ['https://tax.service.gov.uk/pay', false, '/pay-tax/', '?_ga=12345&_ga=6789', 1, 'https://tax.service.gov.uk/pay?_ga=12345'],
  ['https://british-business-bank.co.uk', false, '/biz-bank', '?unwanted=param&_ga=12345', 1, 'https://british-business-bank.co.uk?_ga=12345'],
  ['https://param.servicegov.uk?included-param=true', false, '/query-paramed', '?unwanted_param=blah&_ga=12345', 1, 'https://param.servicegov.uk?_ga=12345&included-param=true'],
  ['/a/b', true, '/x/y/z', '', 2, '/a/b/z'],
  // Browsers read a backslash as a slash: never hand them `/\host`.
  ['/', true, '/old/\\evil.example.com', '', 1, '/%5Cevil.example.com'],
];

for (const [to, preserve, path, query, depth, expected] of CASES) {
  test(`${preserve ? 'preserve' : 'ignore'} ${path}${query} -> ${to} gives ${expected}`, () => {
    assert.equal(redirectLocation(to, preserve, path, query, depth), expected);
  });
}
