import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { spawnPinned, stop, waitForPort } from './procs.ts';
import { ENV, type FanoutPorts, type FanoutStackOptions, type OpName, type Ops, type ReadyMessage, type ReplyMessage, type RequestMessage } from './fanout-protocol.ts';

const CHILD = fileURLToPath(new URL('./fanout-child.ts', import.meta.url));

/** The fan-out benchmark's handle on its stack process. */
export class FanoutStack {
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();

  private constructor(
    private readonly child: ChildProcess,
    /** A token with full Publishing API access. */
    readonly token: string,
  ) {
    child.on('message', (m: ReplyMessage | ReadyMessage) => {
      if (!('id' in m)) return;
      const w = this.waiting.get(m.id);
      if (!w) return;
      this.waiting.delete(m.id);
      if ('error' in m) w.reject(new Error(`stack process: ${m.error}`));
      else w.resolve(m.result);
    });
    child.once('exit', (code, signal) => {
      for (const w of this.waiting.values()) w.reject(new Error(`stack process exited (${code ?? signal})`));
      this.waiting.clear();
    });
  }

  /** Starts the stack on the (migrated on start) database, pinned to `cpus`; resolves once the router listens. */
  static async start(opts: { cpus: string; ports: FanoutPorts; stack: FanoutStackOptions }): Promise<FanoutStack> {
    // Extra Node flags for the stack process only (e.g. --max-old-space-size).
    const extra = (process.env.BENCH_STACK_NODE_FLAGS ?? '').split(/\s+/).filter(Boolean);
    const child = spawnPinned(opts.cpus, process.execPath, [...extra, '--import', 'tsx', CHILD], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      env: { ...process.env, [ENV.ports]: JSON.stringify(opts.ports), [ENV.stack]: JSON.stringify(opts.stack) },
    });
    const token = await new Promise<string>((resolve, reject) => {
      const onExit = (code: number | null) => reject(new Error(`stack process exited (${code}) before it was ready`));
      child.once('exit', onExit);
      child.on('message', (m: ReadyMessage) => {
        if (m.ready) {
          child.off('exit', onExit);
          resolve(m.token);
        }
      });
    });
    await waitForPort(opts.ports.router, child);
    return new FanoutStack(child, token);
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

  /** SIGTERM (a graceful stop of every service), SIGKILL after 15 s. */
  stop(): Promise<void> {
    return stop(this.child, 15_000);
  }
}
