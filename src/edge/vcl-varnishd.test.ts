import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findVarnishd, varnishdArgs } from './vcl-varnishd.ts';

test('varnishd is looked for on PATH first, and only an executable counts', () => {
  const dir = mkdtempSync(join(tmpdir(), 'portico-varnishd-'));
  try {
    const file = join(dir, 'varnishd');
    writeFileSync(file, '#!/bin/sh\n');
    chmodSync(file, 0o644);
    assert.notEqual(findVarnishd(dir), file, 'not executable');
    chmodSync(file, 0o755);
    assert.equal(findVarnishd(dir), file);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a private instance: foreground, its own work directory, loopback only, no management port', () => {
  assert.deepEqual(varnishdArgs({ workDir: '/tmp/w', port: 6081, vclFile: '/tmp/w.vcl', storageMb: 64 }), [
    '-F', '-n', '/tmp/w', '-a', '127.0.0.1:6081', '-T', 'none', '-f', '/tmp/w.vcl', '-s', 'malloc,64m',
  ]);
});
