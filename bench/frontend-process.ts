import { fileURLToPath } from 'node:url';
import { ChildRpc } from './child-rpc.ts';
import { waitForPort } from './procs.ts';
import { ENV, type FrontendPorts, type OpName, type Ops, type ReadyMessage } from './frontend-protocol.ts';

const CHILD = fileURLToPath(new URL('./frontend-child.ts', import.meta.url));

/** The benchmark's handle on the frontend stack's process. */
export class FrontendStack {
  private constructor(private readonly rpc: ChildRpc<Ops, ReadyMessage>) {}

  /**
   * Starts the stack (migrated, nothing published yet) on `databaseUrl`,
   * pinned to `cpus`. BENCH_FRONTEND_NODE_FLAGS adds Node flags to it, such
   * as --cpu-prof to profile it under the benchmark's load.
   */
  static async start(opts: { cpus: string; ports: FrontendPorts; databaseUrl: string }): Promise<FrontendStack> {
    const rpc = await ChildRpc.spawn<Ops, ReadyMessage>({
      name: 'frontend stack',
      script: CHILD,
      cpus: opts.cpus,
      flagsVariable: 'BENCH_FRONTEND_NODE_FLAGS',
      env: { [ENV.ports]: JSON.stringify(opts.ports), [ENV.databaseUrl]: opts.databaseUrl },
    });
    await waitForPort(opts.ports.router, rpc.process);
    return new FrontendStack(rpc);
  }

  get pid(): number | undefined {
    return this.rpc.pid;
  }

  call<K extends OpName>(op: K, params: Ops[K]['params']): Promise<Ops[K]['result']> {
    return this.rpc.call(op, params);
  }

  /** SIGTERM (a graceful stop of every service, which writes a --cpu-prof profile), SIGKILL after 10 s. */
  stop(): Promise<void> {
    return this.rpc.stop(10_000);
  }
}
