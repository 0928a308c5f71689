import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Listens and resolves with the bound port (useful with port 0 in tests). */
export function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => reject(err);
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/**
 * Stops accepting connections, closes idle keep-alive connections, lets
 * in-flight requests finish, and after `timeoutMs` cuts whatever is left.
 */
export function drain(server: Server, timeoutMs: number): Promise<void> {
  if (!server.listening) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => server.closeAllConnections(), timeoutMs);
    timer.unref();
    server.close(() => {
      clearTimeout(timer);
      resolve();
    });
    server.closeIdleConnections();
    // Connections that finish their request later would otherwise stay open until their keep-alive timeout.
    const sweep = setInterval(() => server.closeIdleConnections(), 50);
    sweep.unref();
    server.once('close', () => clearInterval(sweep));
  });
}

export interface HealthCheck {
  name: string;
  check: () => Promise<void> | void;
}

/** Runs readiness checks; each failure is reported by name. */
export async function runChecks(checks: HealthCheck[]): Promise<{ ok: boolean; checks: Record<string, string> }> {
  const results: Record<string, string> = {};
  let ok = true;
  for (const c of checks) {
    try {
      await c.check();
      results[c.name] = 'ok';
    } catch (err) {
      ok = false;
      results[c.name] = (err as Error).message;
    }
  }
  return { ok, checks: results };
}
