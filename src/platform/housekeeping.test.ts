import { test } from 'node:test';
import assert from 'node:assert/strict';
import { silentLogger } from './log.ts';
import { startPruning } from './housekeeping.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('prunes on every interval, carries on after a failure, and never runs twice at once', async () => {
  let calls = 0;
  let concurrent = 0;
  let maxConcurrent = 0;
  const pruning = startPruning({
    what: 'test rows',
    everyMs: 20,
    log: silentLogger(),
    prune: async () => {
      calls++;
      concurrent++;
      maxConcurrent = Math.max(maxConcurrent, concurrent);
      try {
        if (calls === 1) throw new Error('database away');
        // Longer than the interval: the next tick must not start another run.
        await sleep(50);
        return 3;
      } finally {
        concurrent--;
      }
    },
  });
  await sleep(250);
  await pruning.stop();
  const after = calls;
  await sleep(60);
  assert.ok(after >= 3, `ran ${after} times, the failed first run included`);
  assert.equal(maxConcurrent, 1);
  assert.equal(calls, after, 'no run after stop');
});
