import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { objectStoreContract } from './contract.ts';
import { openObjectStore } from './index.ts';
import { parseObjectStoreUrl } from './s3-url.ts';
import { openS3ObjectStore } from './s3.ts';
import { startTestS3, TEST_BUCKET } from './testing.ts';

let s3: Awaited<ReturnType<typeof startTestS3>>;
before(async () => {
  s3 = await startTestS3();
});
after(() => s3?.stop());

objectStoreContract('s3 (s3rver)', () => openS3ObjectStore(parseObjectStoreUrl(s3.url)), {
  replaceNotAtomic: 's3rver writes an object in place while a reader may be reading it; S3 itself replaces whole objects',
});

test('s3: a prefix in the URL keeps a site to its part of a shared bucket', async () => {
  const site = await openObjectStore({ objectStoreUrl: `http://S3RVER:S3RVER@127.0.0.1:${s3.port}/${TEST_BUCKET}/site-a`, dataDir: '/unused' });
  const whole = await openS3ObjectStore(parseObjectStoreUrl(s3.url));
  try {
    assert.equal(site.kind, 's3');
    await site.put('mirror/index.html', 'a', { contentType: 'text/html' });
    assert.equal((await whole.get('site-a/mirror/index.html'))?.body.toString(), 'a');
    const keys: string[] = [];
    for await (const k of site.list('mirror/')) keys.push(k);
    assert.deepEqual(keys, ['mirror/index.html']);
  } finally {
    await site.close();
    await whole.close();
  }
});

test('s3: a bucket that does not exist fails at open, naming the bucket', async () => {
  await assert.rejects(
    openS3ObjectStore(parseObjectStoreUrl(s3.url.replace(TEST_BUCKET, 'no-such-bucket'))),
    /object store s3:\/\/no-such-bucket\/ at http:\/\/127\.0\.0\.1:\d+ \(us-east-1\) is not usable: no such bucket/,
  );
});
