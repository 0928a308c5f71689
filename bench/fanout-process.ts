import { fileURLToPath } from 'node:url';
import { ChildRpc } from './child-rpc.ts';
import { waitForPort } from './procs.ts';
import { ENV, type FanoutPorts, type FanoutStackOptions, type OpName, type Ops, type ReadyMessage } from './fanout-protocol.ts';

const CHILD = fileURLToPath(new URL('./fanout-child.ts', import.meta.url));

/** The fan-out benchmark's handle on its stack process. */
export class FanoutStack {
  private constructor(private readonly rpc: ChildRpc<Ops, ReadyMessage>) {}

  /** A token with full Publishing API access. */
  get token(): string {
    return this.rpc.ready.token;
  }

  /**
   * Starts the stack on the (migrated on start) database, pinned to `cpus`;
   * resolves once the router listens. BENCH_STACK_NODE_FLAGS adds Node flags
   * for the stack process only (e.g. --max-old-space-size).
   */
  static async start(opts: { cpus: string; ports: FanoutPorts; stack: FanoutStackOptions }): Promise<FanoutStack> {
    const rpc = await ChildRpc.spawn<Ops, ReadyMessage>({
      name: 'stack process',
      script: CHILD,
      cpus: opts.cpus,
      flagsVariable: 'BENCH_STACK_NODE_FLAGS',
      env: { [ENV.ports]: JSON.stringify(opts.ports), [ENV.stack]: JSON.stringify(opts.stack) },
    });
    await waitForPort(opts.ports.router, rpc.process);
    return new FanoutStack(rpc);
  }

  get pid(): number | undefined {
    return this.rpc.pid;
  }

  call<K extends OpName>(op: K, params: Ops[K]['params']): Promise<Ops[K]['result']> {
    return this.rpc.call(op, params);
  }

  /** SIGTERM (a graceful stop of every service), SIGKILL after 15 s. */
  stop(): Promise<void> {
    return this.rpc.stop(15_000);
  }
}
