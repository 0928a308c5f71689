import { fileURLToPath } from 'node:url';
import { ChildRpc } from './child-rpc.ts';
import { waitForPort } from './procs.ts';
import { ENV, type OpName, type Ops, type ReadyMessage, type StackPorts } from './publishing-protocol.ts';

const CHILD = fileURLToPath(new URL('./publishing-child.ts', import.meta.url));

/** The benchmark's handle on the publishing stack's process. */
export class StackProcess {
  private constructor(private readonly rpc: ChildRpc<Ops, ReadyMessage>) {}

  /** A token with full Publishing API access. */
  get token(): string {
    return this.rpc.ready.token;
  }

  /**
   * Starts the stack (migrated, no content yet) on PGlite in memory or on
   * `databaseUrl`, pinned to `cpus`. `--expose-gc` lets it collect the garbage
   * of a bulk load before anything is measured.
   */
  static async start(opts: { cpus: string; ports: StackPorts; databaseUrl?: string; logLevel?: string }): Promise<StackProcess> {
    const rpc = await ChildRpc.spawn<Ops, ReadyMessage>({
      name: 'stack process',
      script: CHILD,
      cpus: opts.cpus,
      flagsVariable: 'BENCH_STACK_NODE_FLAGS',
      nodeFlags: ['--expose-gc'],
      env: {
        [ENV.ports]: JSON.stringify(opts.ports),
        ...(opts.databaseUrl ? { [ENV.databaseUrl]: opts.databaseUrl } : {}),
        ...(opts.logLevel ? { [ENV.logLevel]: opts.logLevel } : {}),
      },
    });
    await waitForPort(opts.ports.router, rpc.process);
    return new StackProcess(rpc);
  }

  get pid(): number | undefined {
    return this.rpc.pid;
  }

  call<K extends OpName>(op: K, params: Ops[K]['params']): Promise<Ops[K]['result']> {
    return this.rpc.call(op, params);
  }

  /** SIGTERM (a graceful stop of every service), SIGKILL after 10 s. */
  stop(): Promise<void> {
    return this.rpc.stop(10_000);
  }
}
