import { createServer, type AddressInfo, type Server } from 'node:net';
import { DEFAULT_PORTS, portVariable, type PortName } from '../../src/platform/config.ts';

/** Ports the OS says are free right now, for processes that must be told their port up front. */
export async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from({ length: n }, () => new Promise<Server>((resolve) => {
      const s = createServer();
      s.listen(0, '127.0.0.1', () => resolve(s));
    })),
  );
  const ports = servers.map((s) => (s.address() as AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}

/**
 * A free port for every entry point `portico start` can open, as its
 * PORTICO_PORT_* variable, so a test's platform never meets another's (or a
 * developer's) on a default port; and `extra` more, free at the same time.
 */
export async function freePortEnv(extra = 0): Promise<{ env: Record<string, string>; port: (name: PortName) => number; extra: number[] }> {
  const names = Object.keys(DEFAULT_PORTS) as PortName[];
  const ports = await freePorts(names.length + extra);
  const byName = new Map(names.map((n, i) => [n, ports[i]!]));
  return {
    env: Object.fromEntries(names.map((n) => [portVariable(n), String(byName.get(n))])),
    port: (name) => byName.get(name)!,
    extra: ports.slice(names.length),
  };
}

/** Polls until `check` returns a value other than undefined, or fails after `ms`. */
export async function eventually<T>(check: () => Promise<T | undefined> | T | undefined, ms = 5000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
