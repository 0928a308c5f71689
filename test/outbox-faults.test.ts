import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createMemoryBus } from '../src/platform/bus/memory.ts';
import { PUBLISHED_DOCUMENTS, type Bus } from '../src/platform/bus/types.ts';
import { openTestDb, type TestDb } from '../src/platform/db/testing.ts';
import { silentLogger } from '../src/platform/log.ts';
import { runOutboxScenario, type ScenarioResult } from '../src/platform/outbox/testing.ts';

// The outbox's promise on the in-process bus, with a bus in front of it that
// fails the way a broker does: it goes away for a while (publishes refused), and
// now and then it takes a message but the confirm never comes back (the relay
// must send it again, so a consumer sees it twice).

let t: TestDb;
before(async () => {
  t = await openTestDb();
});
after(() => t.close());

/**
 * Goes down (refuses publishes) when it is first asked to publish the event of a
 * given sequence number, for that many publishes; and loses the confirm of every
 * 13th publish. Keyed on events rather than on time, so each outage lands
 * mid-stream however fast the relay runs.
 */
function faultyBus(inner: Bus, outages: Map<number, number>) {
  let calls = 0;
  let refuse = 0;
  const stats = { refused: 0, confirmsLost: 0 };
  const bus: Bus = {
    kind: inner.kind,
    async publish(exchange, msg) {
      calls++;
      const seq = (msg.body as { seq?: number }).seq ?? -1;
      if (outages.has(seq)) {
        refuse = outages.get(seq)!;
        outages.delete(seq);
      }
      if (refuse > 0) {
        refuse--;
        stats.refused++;
        throw new Error('broker unreachable');
      }
      await inner.publish(exchange, msg);
      if (calls % 13 === 0) {
        stats.confirmsLost++;
        throw new Error('connection lost before the confirm');
      }
    },
    consume: (...args) => inner.consume(...args),
    close: () => inner.close(),
  };
  return { bus, stats };
}

function assertExactlyOnce(result: ScenarioResult): void {
  for (const consumer of ['db', 'memory'] as const) {
    const effects = result.effects[consumer];
    assert.equal(effects.size, result.written.length, `${consumer}: every event arrived`);
    const twice = [...effects].filter(([, n]) => n !== 1);
    assert.deepEqual(twice, [], `${consumer}: no event took effect twice`);
    assert.deepEqual([...effects.keys()].sort(), [...result.written].sort());
  }
}

test('200 events through a bus that fails part-way and loses confirms: every one arrives exactly once per consumer', async () => {
  const memory = createMemoryBus({ log: silentLogger() });
  const faulty = faultyBus(memory, new Map([[60, 40], [150, 25]]));
  try {
    const result = await runOutboxScenario({
      db: t.db,
      relayBus: faulty.bus,
      consumerBus: memory,
      exchange: PUBLISHED_DOCUMENTS,
      events: 200,
      log: silentLogger(),
    });
    assertExactlyOnce(result);
    // The faults did happen, and the duplicates they caused were absorbed.
    assert.equal(faulty.stats.refused, 65);
    assert.ok(faulty.stats.confirmsLost > 0);
    assert.ok(result.retriedRows >= faulty.stats.confirmsLost);
    for (const c of ['db', 'memory'] as const) {
      assert.equal(result.deliveries[c], 200 + faulty.stats.confirmsLost, `${c}: one extra delivery per lost confirm`);
      assert.equal(result.duplicatesSkipped[c], faulty.stats.confirmsLost);
    }
  } finally {
    await memory.close();
  }
});
