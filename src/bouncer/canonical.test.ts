import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { akaHost, canonicalHost, canonicalise, CanonicalisationError, significantParams } from './canonical.ts';

describe('canonicalise', () => {
  // [input, significant params, canonical key]
  const CASES: [string, string[], string][] = [
    ['/Foo/Bar/BAZ', [], '/foo/bar/baz'],
    ['http://www.EXAMPLE.com/Foo', [], '/foo'],
    ['https://www.example.com/foo', [], '/foo'],
    ['HTTPS://www.example.com:8443/foo', [], '/foo'],
    ['http://www.example.com', [], ''],
    ['http://www.example.com/', [], ''],
    ['/', [], ''],
    ['////', [], ''],
    ['/foo/', [], '/foo/'],
    ['/foo#bar', [], '/foo'],
    ['/#bar', [], ''],
    ['/:colon:', [], '/:colon:'],
    ['/~tilde', [], '/~tilde'],
    ['/_underscore_', [], '/_underscore_'],
    ['/*asterisk*', [], '/*asterisk*'],
    ['/(parens)', [], '/(parens)'],
    ['/[square-brackets]', [], '/%5bsquare-brackets%5d'],
    [`/commas,and-"quotes"-make-CSV-harder-to-'awk'`, [], '/commas%2cand-%22quotes%22-make-csv-harder-to-%27awk%27'],
    ['/problematic-in-curl[]||[and-regexes]', [], '/problematic-in-curl%5b%5d%7c%7c%5band-regexes%5d'],
    ['/%7eyes%20I%20have%20read%20%5Brfc%203986%5D%2C%20%26%20more%21%21', [], '/~yes%20i%20have%20read%20%5brfc%203986%5d%2c%20%26%20more!!'],
    ['/shout!', [], '/shout!'],
    ['/pound-sign-£', [], '/pound-sign-%c2%a3'],
    ['/café menu', [], '/caf%c3%a9%20menu'],
    ['  /padded  ', [], '/padded'],
    ['/search?q=foo', [], '/search'],
    ['/?q=foo', ['q'], '?q=foo'],
    ['/page?id=42&utm_source=mail', ['id'], '/page?id=42'],
    ['/page?ID=42', ['id'], '/page?id=42'],
    ['/page?c=23&d=1&b=909&e=33&a=1', ['b', 'e', 'c', 'd', 'a'], '/page?a=1&b=909&c=23&d=1&e=33'],
    ['/page?c=23;d=1;b=909;e=33;a=1', ['b', 'e', 'c', 'd', 'a'], '/page?a=1&b=909&c=23&d=1&e=33'],
    ['/page?a=2322sdfsf&topic=334499&q=909&item=23444', ['topic', 'item'], '/page?item=23444&topic=334499'],
    ['/page?a=2322sdfsf&topic=334499', ['foo', 'bar'], '/page'],
    ["/page?a=you're_dangerous", ['a'], '/page?a=you%27re_dangerous'],
    ['/page?a=two+words&a=%C3%A9', ['a'], '/page?a=two+words&a=%C3%A9'],
    ['/page?flag&&x=1', ['flag'], '/page?flag='],
    ['/page?junk=%ac%ff&id=1', ['id'], '/page?id=1'],
  ];
  for (const [input, params, key] of CASES) {
    test(`${JSON.stringify(input)} with [${params.join(',')}] -> ${JSON.stringify(key)}`, () => {
      assert.equal(canonicalise(input, params).key, key);
    });
  }

  test('a homepage request keeps its significant query apart from its path', () => {
    assert.deepEqual(canonicalise('/?q=foo', ['q']), { path: '', query: 'q=foo', key: '?q=foo' });
  });

  test('a kept parameter that is not valid UTF-8 is refused', () => {
    assert.throws(() => canonicalise('/results?level=l3.35%AC10006842', ['level']), CanonicalisationError);
  });

  for (const input of ['foo/bar', 'ftp://example.com/x', 'mailto:someone@example.com', '*']) {
    test(`${JSON.stringify(input)} is neither a path nor an http(s) URL`, () => {
      assert.throws(() => canonicalise(input), /neither a path nor an http\(s\) URL/);
    });
  }
});

describe('hosts', () => {
  const AKA: [string, string][] = [
    ['www.bar.gov.uk', 'aka.bar.gov.uk'],
    ['foo.org.uk', 'aka-foo.org.uk'],
  ];
  for (const [host, aka] of AKA) {
    test(`${host} is answered as ${aka} too`, () => {
      assert.equal(akaHost(host), aka);
      assert.equal(canonicalHost(aka), host);
      assert.equal(canonicalHost(host), host);
    });
  }
  test('host names are compared in lower case', () => {
    assert.equal(canonicalHost('AKA.Bar.GOV.uk'), 'www.bar.gov.uk');
  });
});

test('significant parameters are read from a colon-separated list', () => {
  assert.deepEqual(significantParams('ID:Page::'), ['id', 'page']);
  assert.deepEqual(significantParams(''), []);
});
