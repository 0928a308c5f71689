import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AllowList, hostFrom } from './allow-list.ts';

const list = new AllowList(['www.example.org', hostFrom('http://127.0.0.1:8080')]);

const CASES: [string, boolean][] = [
  ['https://www.gov.uk/foo', true],
  ['http://www.hmrc.gov.uk', true],
  ['https://www.army.mod.uk/x', true],
  ['https://www.nhs.uk/conditions', true],
  ['https://nhs.uk/', false],
  ['https://digital.nhs.uk/conditions', true],
  ['https://www.GOV.UK./dotted', true],
  ['https://www.example.org/whitelisted', true],
  ['http://127.0.0.1:8080/keeping-bees', true],
  ['https://example.org/not-www', false],
  ['https://gov.uk.evil.example/', false],
  ['https://evilgov.uk/', false],
  ['ftp://www.gov.uk/file', false],
  ['javascript:alert(1)//.gov.uk', false],
  ['/relative/path', false],
  ['not a url', false],
];
for (const [url, allowed] of CASES) {
  test(`${url} is ${allowed ? '' : 'not '}an allowed redirect target`, () => {
    assert.equal(list.allowsUrl(url), allowed);
  });
}

test('hostFrom takes a host or the host of an origin', () => {
  assert.equal(hostFrom('https://WWW.Example.org:8443'), 'www.example.org');
  assert.equal(hostFrom('Example.org'), 'example.org');
});
