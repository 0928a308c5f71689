import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';

export const TEST_BUCKET = 'portico-test';

/**
 * A real S3-compatible server (s3rver, a devDependency) in this process, on a
 * port the OS picks, with one bucket; `url` is an OBJECT_STORE_URL for it.
 * s3rver accepts any signature made with the S3RVER/S3RVER key pair.
 */
export async function startTestS3(): Promise<{ url: string; port: number; stop(): Promise<void> }> {
  const directory = mkdtempSync(join(tmpdir(), 'portico-s3rver-'));
  const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory, configureBuckets: [{ name: TEST_BUCKET }] });
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    url: `s3://S3RVER:S3RVER@${TEST_BUCKET}?endpoint=${encodeURIComponent(endpoint)}&region=us-east-1`,
    port,
    async stop() {
      await server.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
