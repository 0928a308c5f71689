import { test } from 'node:test';
import assert from 'node:assert/strict';
import { silentLogger } from '../platform/log.ts';
import { eventually } from '../../test/support/ports.ts';
import { startSchedule } from './schedule.ts';
import { manualClock } from './testing.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

function scheduled(lastAgoMs: number | undefined, crawl?: () => Promise<void>) {
  const clock = manualClock();
  let last = lastAgoMs === undefined ? undefined : clock.now() - lastAgoMs;
  const runs: number[] = [];
  const schedule = startSchedule({
    everyMs: DAY,
    firstDelayMs: 60_000,
    clock,
    log: silentLogger(),
    lastCrawl: async () => last,
    crawl: async () => {
      runs.push(clock.now());
      await crawl?.();
      last = clock.now();
    },
  });
  /** Waits until the schedule is asleep, so what has not run by then will not. */
  const idle = () => eventually(() => (clock.sleeping() > 0 ? true : undefined), 2000, 'the schedule to wait');
  return { clock, runs, schedule, idle };
}

test('a crawl is due a day after the last one, wherever that ran', async () => {
  const { clock, runs, schedule, idle } = scheduled(23 * HOUR);
  await idle();
  assert.equal(runs.length, 0, 'not yet a day');
  clock.advance(HOUR);
  await eventually(() => (runs.length === 1 ? true : undefined), 2000, 'the daily crawl');
  await idle();
  clock.advance(23 * HOUR);
  await idle();
  assert.equal(runs.length, 1);
  clock.advance(HOUR);
  await eventually(() => (runs.length === 2 ? true : undefined), 2000, 'the next day\'s crawl');
  await schedule.stop();
});

test('a mirror never crawled is crawled shortly after start, and an overdue one at once', async () => {
  const fresh = scheduled(undefined);
  await fresh.idle();
  assert.equal(fresh.runs.length, 0);
  fresh.clock.advance(60_000);
  await eventually(() => (fresh.runs.length === 1 ? true : undefined), 2000, 'the first crawl');
  await fresh.schedule.stop();

  const overdue = scheduled(3 * DAY);
  await eventually(() => (overdue.runs.length === 1 ? true : undefined), 2000, 'the overdue crawl');
  await overdue.schedule.stop();
});

test('a failed crawl is tried again an hour later, and stop ends a crawl in progress', async () => {
  let fail = true;
  const { clock, runs, schedule, idle } = scheduled(2 * DAY, async () => {
    if (fail) throw new Error('origin down');
  });
  await eventually(() => (runs.length === 1 ? true : undefined), 2000, 'the first try');
  await idle();
  fail = false;
  clock.advance(HOUR);
  await eventually(() => (runs.length === 2 ? true : undefined), 2000, 'the retry');
  await schedule.stop();

  let started = false;
  let aborted = false;
  const clock2 = manualClock();
  const long = startSchedule({
    everyMs: DAY, firstDelayMs: 0, clock: clock2, log: silentLogger(), lastCrawl: async () => undefined,
    crawl: (signal) => {
      started = true;
      return new Promise<void>((resolve) => signal.addEventListener('abort', () => ((aborted = true), resolve())));
    },
  });
  await eventually(() => (started ? true : undefined), 2000, 'the crawl to start');
  await long.stop();
  assert.equal(aborted, true);
});
