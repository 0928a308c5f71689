import type { ChildProcess, SpawnOptions } from 'node:child_process';
import { spawnPinned, stop } from './procs.ts';

/** The operations a benchmark child answers: name to parameters and result. */
export type OpMap<T> = { [K in keyof T]: { params: unknown; result: unknown } };

type Reply = { id: number; result: unknown } | { id: number; error: string };

/**
 * A benchmark's server side, run in its own pinned Node process and driven
 * over IPC: it says `{ready: true, ...}` once, then answers `{id, op, params}`
 * with `{id, result}` or `{id, error}`. Every bench (router, publishing,
 * fan-out) talks to its child the same way.
 */
export class ChildRpc<Ops extends OpMap<Ops>, Ready extends { ready: true }> {
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();

  private constructor(
    private readonly child: ChildProcess,
    private readonly name: string,
    readonly ready: Ready,
  ) {
    child.on('message', (m: Reply | Ready) => {
      if (!('id' in m)) return;
      const w = this.waiting.get(m.id);
      if (!w) return;
      this.waiting.delete(m.id);
      if ('error' in m) w.reject(new Error(`${name}: ${m.error}`));
      else w.resolve(m.result);
    });
    child.once('exit', (code, signal) => {
      for (const w of this.waiting.values()) w.reject(new Error(`${name} exited (${code ?? signal})`));
      this.waiting.clear();
    });
  }

  /**
   * Spawns `script` through tsx pinned to `cpus`, with extra Node flags from
   * the environment variable `flagsVariable` (e.g. --cpu-prof, which
   * NODE_OPTIONS refuses), and resolves once the child says it is ready.
   */
  static async spawn<Ops extends OpMap<Ops>, Ready extends { ready: true }>(opts: {
    name: string;
    script: string;
    cpus: string;
    env: NodeJS.ProcessEnv;
    flagsVariable: string;
    nodeFlags?: string[];
  }): Promise<ChildRpc<Ops, Ready>> {
    const extra = (process.env[opts.flagsVariable] ?? '').split(/\s+/).filter(Boolean);
    const spawnOptions: SpawnOptions = { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], env: { ...process.env, ...opts.env } };
    const child = spawnPinned(opts.cpus, process.execPath, [...extra, ...(opts.nodeFlags ?? []), '--import', 'tsx', opts.script], spawnOptions);
    const ready = await new Promise<Ready>((resolve, reject) => {
      const onExit = (code: number | null) => reject(new Error(`${opts.name} exited (${code}) before it was ready`));
      child.once('exit', onExit);
      child.on('message', (m: Ready) => {
        if (m.ready) {
          child.off('exit', onExit);
          resolve(m);
        }
      });
    });
    return new ChildRpc<Ops, Ready>(child, opts.name, ready);
  }

  get process(): ChildProcess {
    return this.child;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  call<K extends keyof Ops & string>(op: K, params: Ops[K]['params']): Promise<Ops[K]['result']> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.child.send({ id, op, params });
    });
  }

  /** SIGTERM, then SIGKILL after `graceMs`. */
  stop(graceMs: number): Promise<void> {
    return stop(this.child, graceMs);
  }
}

/** A child's answers to its operations. */
export type Handlers<Ops extends OpMap<Ops>> = { [K in keyof Ops]: (params: Ops[K]['params']) => Promise<Ops[K]['result']> };

/** The child's side: answers each `{id, op, params}` from its parent with its handler's result or error. */
export function serveRpc<Ops extends OpMap<Ops>>(handlers: Handlers<Ops>): void {
  process.on('message', (message: { id: number; op: keyof Ops; params: unknown }) => {
    void (async () => {
      let reply: Reply;
      try {
        const handler = handlers[message.op] as (params: unknown) => Promise<unknown>;
        reply = { id: message.id, result: await handler(message.params) };
      } catch (err) {
        reply = { id: message.id, error: (err as Error).stack ?? String(err) };
      }
      process.send!(reply);
    })();
  });
}

/**
 * The child's end on SIGTERM: stops its services one at a time in the order
 * given (reverse start order, so nothing is cut off by what it depends on
 * going first), reporting a failed step and going on, then exits 0.
 */
export function stopOnSigterm(steps: [what: string, stop: () => Promise<unknown>][]): void {
  let stopping = false;
  process.on('SIGTERM', () => {
    if (stopping) return;
    stopping = true;
    void (async () => {
      for (const [what, stop] of steps) {
        await stop().catch((err) => process.stderr.write(`stack: stopping ${what} failed: ${(err as Error).message}\n`));
      }
    })().finally(() => process.exit(0));
  });
}
