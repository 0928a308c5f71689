import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ObjectStoreUrlError, parseObjectStoreUrl } from './s3-url.ts';

const noEnv = {};

test('an s3:// URL with an endpoint addresses an S3-compatible server path-style', () => {
  assert.deepEqual(parseObjectStoreUrl('s3://portico-mirror?endpoint=http://127.0.0.1:9000&region=eu-west-2', noEnv), {
    bucket: 'portico-mirror',
    prefix: '',
    endpoint: 'http://127.0.0.1:9000',
    region: 'eu-west-2',
    forcePathStyle: true,
    credentials: undefined,
  });
});

test('an s3:// URL without an endpoint is AWS itself, virtual-hosted, region from the environment', () => {
  const l = parseObjectStoreUrl('s3://portico-mirror/www/live', { AWS_REGION: 'eu-west-1' });
  assert.equal(l.endpoint, undefined);
  assert.equal(l.forcePathStyle, false);
  assert.equal(l.region, 'eu-west-1');
  assert.equal(l.prefix, 'www/live/');
  assert.equal(parseObjectStoreUrl('s3://portico-mirror', noEnv).region, 'us-east-1');
});

test('credentials in the URL are percent-decoded; without them the SDK finds its own', () => {
  const l = parseObjectStoreUrl('s3://AKID:s%2Fcr%2Bt@portico-mirror?endpoint=https://s3.example.org', noEnv);
  assert.deepEqual(l.credentials, { accessKeyId: 'AKID', secretAccessKey: 's/cr+t' });
  assert.equal(l.endpoint, 'https://s3.example.org');
});

test('an http(s) URL is an S3-compatible endpoint with the bucket as its first path segment', () => {
  const l = parseObjectStoreUrl('http://minio:minio123@127.0.0.1:9000/portico/site-a?region=us-west-1', noEnv);
  assert.equal(l.endpoint, 'http://127.0.0.1:9000');
  assert.equal(l.bucket, 'portico');
  assert.equal(l.prefix, 'site-a/');
  assert.equal(l.region, 'us-west-1');
  assert.equal(l.forcePathStyle, true);
  assert.deepEqual(l.credentials, { accessKeyId: 'minio', secretAccessKey: 'minio123' });
});

test('a bad URL is refused with the reason', () => {
  const cases: [string, RegExp][] = [
    ['s3://UPPER', /bucket "upper"|not a valid bucket name/],
    ['s3://ab', /not a valid bucket name/],
    ['s3://bucket-one?endpoint=ftp://x', /endpoint must be an http or https URL/],
    ['s3://bucket-one?path_style=maybe', /path_style must be true or false/],
    ['s3://bucket-one?bucket=x', /unknown parameter "bucket"/],
    ['http://127.0.0.1:9000/', /first path segment/],
    ['http://127.0.0.1:9000/bucket-one?endpoint=http://x', /belong to s3:\/\/ URLs/],
    ['s3://onlykey@bucket-one', /both an access key id and a secret/],
    ['gs://bucket-one', /scheme must be s3, http or https/],
  ];
  for (const [url, why] of cases) {
    assert.throws(() => parseObjectStoreUrl(url, noEnv), (err: Error) => err instanceof ObjectStoreUrlError && why.test(err.message), url);
  }
});
