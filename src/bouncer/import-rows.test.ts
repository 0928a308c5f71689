import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { AllowList } from './allow-list.ts';
import { ImportFileError, planImport, type ImportRow } from './import-rows.ts';

const site = { hosts: ['www.old.gov.uk', 'aka.old.gov.uk', 'old.example.org'], queryParams: ['id'] };
const allow = new AllowList(['www.example.org']);
const plan = (text: string) => planImport(text, site, allow);
const only = (text: string): ImportRow => {
  const p = plan(text);
  assert.deepEqual(p.rejected, []);
  assert.equal(p.rows.length, 1, JSON.stringify(p));
  return p.rows[0]!;
};

describe('each row', () => {
  // [csv row, the mapping it makes (without its line)]
  const MAKES: [string, Omit<ImportRow, 'line'>][] = [
    ['/about,https://www.gov.uk/about', { path: '/about', type: 'redirect', newUrl: 'https://www.gov.uk/about' }],
    ['/About/Us/,https://www.gov.uk/x', { path: '/about/us/', type: 'redirect', newUrl: 'https://www.gov.uk/x' }],
    ['http://www.old.gov.uk/a?id=3&utm=x,https://www.gov.uk/a', { path: '/a?id=3', type: 'redirect', newUrl: 'https://www.gov.uk/a' }],
    ['https://aka.old.gov.uk/b,https://www.gov.uk/b', { path: '/b', type: 'redirect', newUrl: 'https://www.gov.uk/b' }],
    ['/c,www.gov.uk/c', { path: '/c', type: 'redirect', newUrl: 'https://www.gov.uk/c' }],
    ['/d,https://www.example.org/d', { path: '/d', type: 'redirect', newUrl: 'https://www.example.org/d' }],
    ['/e,TNA', { path: '/e', type: 'archive' }],
    ['/f,tna', { path: '/f', type: 'archive' }],
    ['/g,http://webarchive.nationalarchives.gov.uk/20120816224015/http://www.old.gov.uk/g', {
      path: '/g', type: 'archive', archiveUrl: 'http://webarchive.nationalarchives.gov.uk/20120816224015/http://www.old.gov.uk/g',
    }],
    ['/h', { path: '/h', type: 'unresolved' }],
    ['/i,', { path: '/i', type: 'unresolved' }],
    ['  /j  ,  https://www.gov.uk/j  ', { path: '/j', type: 'redirect', newUrl: 'https://www.gov.uk/j' }],
    ['"/k,with,commas",https://www.gov.uk/k', { path: '/k%2cwith%2ccommas', type: 'redirect', newUrl: 'https://www.gov.uk/k' }],
    ['/l,https://www.gov.uk/l,extra,columns', { path: '/l', type: 'redirect', newUrl: 'https://www.gov.uk/l' }],
  ];
  for (const [row, mapping] of MAKES) {
    test(`${row} -> ${mapping.type} ${mapping.path}`, () => {
      const { line, ...made } = only(row);
      assert.equal(line, 1);
      assert.deepEqual(made, mapping);
    });
  }

  const IGNORED = ['old url,new url', 'Old,New', '# a comment', 'www.old.gov.uk/x,https://www.gov.uk/', '/,https://www.gov.uk/', 'http://www.old.gov.uk,https://www.gov.uk/', '/?utm=1,https://www.gov.uk/'];
  for (const row of IGNORED) {
    test(`${row} is ignored`, () => {
      const p = plan(row);
      assert.deepEqual([p.rows, p.rejected, p.ignored], [[], [], 1]);
    });
  }

  // [csv row, reason]
  const REJECTED: [string, RegExp][] = [
    ['http://www.other.gov.uk/a,https://www.gov.uk/', /old URL's host www\.other\.gov\.uk is not one of the site's hosts/],
    ['http://[bad/a,https://www.gov.uk/', /old URL is not a valid URL/],
    ['/a?id=%ff,https://www.gov.uk/', /old URL: query parameter id is not valid percent-encoded UTF-8/],
    [`/${'a'.repeat(2048)},https://www.gov.uk/`, /old path is longer than 2048 characters/],
    ['/a,https://www.example.com/', /new URL's host www\.example\.com is not allowed/],
    ['/a,https://gov.uk.example.com/', /new URL's host gov\.uk\.example\.com is not allowed/],
    ['/a,mailto:someone@old.gov.uk', /new URL "mailto:someone@old\.gov\.uk" is not an http\(s\) URL, nor TNA/],
    ['/a,see-the-new-site', /is not an http\(s\) URL, nor TNA/],
    [`/a,https://www.gov.uk/${'x'.repeat(64 * 1024)}`, /new URL is longer than 65535 bytes/],
    ['/a,https://www.gov.uk/a b', /new URL contains spaces or control characters/],
  ];
  for (const [row, reason] of REJECTED) {
    test(`${row.slice(0, 80)} is rejected`, () => {
      const p = plan(row);
      assert.equal(p.rows.length, 0);
      assert.equal(p.rejected.length, 1);
      assert.equal(p.rejected[0]!.line, 1);
      assert.match(p.rejected[0]!.reason, reason);
    });
  }
});

describe('several rows for one canonical path', () => {
  // [rows, the line kept]
  const PRECEDENCE: [string, string[], number][] = [
    ['redirect beats archive, either order', ['/a,TNA', '/A,https://www.gov.uk/a'], 2],
    ['redirect beats a later archive', ['/a,https://www.gov.uk/a', '/a,TNA'], 1],
    ['redirect beats unresolved', ['/a,https://www.gov.uk/a', '/a'], 1],
    ['archive with its own URL beats archive', ['/a,http://webarchive.nationalarchives.gov.uk/1/x', '/a,TNA'], 1],
    ['archive beats unresolved', ['/a', '/a,TNA', '/a'], 2],
    ['the later redirect wins', ['/a,https://www.gov.uk/one', '/a?utm=x,https://www.gov.uk/two'], 2],
    ['the later archive wins', ['/a,TNA', '/a,TNA'], 2],
  ];
  for (const [name, rows, kept] of PRECEDENCE) {
    test(name, () => {
      const p = plan(rows.join('\n'));
      assert.equal(p.rows.length, 1);
      assert.equal(p.rows[0]!.line, kept);
      assert.equal(p.superseded, rows.length - 1);
    });
  }
});

describe('a file', () => {
  test('keeps file order, counts ignored rows and reports each rejected row with its line', () => {
    const p = plan('old,new\n/b,https://www.gov.uk/b\n\n/a,TNA\r\n/,https://www.gov.uk/\n/c,https://evil.example/\n/d,"https://www.gov.uk/\nsplit"\n/e,ftp://x\n');
    assert.deepEqual(p.rows.map((r) => [r.line, r.path]), [[2, '/b'], [4, '/a']]);
    assert.equal(p.ignored, 2);
    assert.deepEqual(p.rejected.map((r) => [r.line, r.old]), [[6, '/c'], [7, '/d'], [9, '/e']]);
    assert.match(p.rejected[1]!.reason, /control characters/);
  });

  test('a byte order mark does not hide the first row', () => {
    assert.equal(only('\ufeff/a,TNA').path, '/a');
  });

  test('an unclosed quote makes the whole file unreadable, naming the line', () => {
    assert.throws(() => plan('/a,TNA\n/b,"https://www.gov.uk/\n'), (err: unknown) => err instanceof ImportFileError && err.line === 2 && /Quote Not Closed/.test(err.message));
  });
});
