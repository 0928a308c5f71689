import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { spawnPinned, stop, waitForPort } from './procs.ts';
import { ENV, type OpName, type Ops, type ReadyMessage, type ReplyMessage, type RequestMessage } from './router-protocol.ts';

const CHILD = fileURLToPath(new URL('./router-child.ts', import.meta.url));

/** The benchmark's handle on the router child process. */
export class RouterProcess {
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();

  private constructor(
    private readonly child: ChildProcess,
    readonly port: number,
    readonly adminPort: number,
  ) {
    child.on('message', (m: ReplyMessage | ReadyMessage) => {
      if (!('id' in m)) return;
      const w = this.waiting.get(m.id);
      if (!w) return;
      this.waiting.delete(m.id);
      if ('error' in m) w.reject(new Error(`router child: ${m.error}`));
      else w.resolve(m.result);
    });
    child.once('exit', (code, signal) => {
      for (const w of this.waiting.values()) w.reject(new Error(`router child exited (${code ?? signal})`));
      this.waiting.clear();
    });
  }

  /**
   * Starts the router (on PGlite in memory, or on `databaseUrl`; migrated,
   * two backends, no routes yet) pinned to `cpus`. `--expose-gc` lets it measure memory after a collection.
   */
  static async start(opts: { cpus: string; port: number; adminPort: number; backendUrl: string; databaseUrl?: string }): Promise<RouterProcess> {
    // Extra Node flags for the router only, e.g. --cpu-prof to profile it under the benchmark's load
    // (NODE_OPTIONS refuses --cpu-prof, and would apply to the benchmark itself as well).
    const extra = (process.env.BENCH_ROUTER_NODE_FLAGS ?? '').split(/\s+/).filter(Boolean);
    const child = spawnPinned(opts.cpus, process.execPath, [...extra, '--expose-gc', '--import', 'tsx', CHILD], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      env: {
        ...process.env,
        [ENV.port]: String(opts.port),
        [ENV.adminPort]: String(opts.adminPort),
        [ENV.backendUrl]: opts.backendUrl,
        ...(opts.databaseUrl ? { [ENV.databaseUrl]: opts.databaseUrl } : {}),
      },
    });
    await new Promise<void>((resolve, reject) => {
      const onExit = (code: number | null) => reject(new Error(`router child exited (${code}) before it was ready`));
      child.once('exit', onExit);
      child.on('message', (m: ReadyMessage) => {
        if (m.ready) {
          child.off('exit', onExit);
          resolve();
        }
      });
    });
    await waitForPort(opts.port, child);
    return new RouterProcess(child, opts.port, opts.adminPort);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  call<K extends OpName>(op: K, params: Ops[K]['params']): Promise<Ops[K]['result']> {
    const id = this.nextId++;
    const message: RequestMessage<K> = { id, op, params };
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.child.send(message);
    });
  }

  stop(): Promise<void> {
    return stop(this.child, 5000);
  }
}
