import { fileURLToPath } from 'node:url';
import { ChildRpc } from './child-rpc.ts';
import { waitForPort } from './procs.ts';
import { ENV, type OpName, type Ops, type ReadyMessage } from './router-protocol.ts';

const CHILD = fileURLToPath(new URL('./router-child.ts', import.meta.url));

/** The benchmark's handle on the router child process. */
export class RouterProcess {
  private constructor(
    private readonly rpc: ChildRpc<Ops, ReadyMessage>,
    readonly port: number,
    readonly adminPort: number,
  ) {}

  /**
   * Starts the router (on PGlite in memory, or on `databaseUrl`; migrated,
   * two backends, no routes yet) pinned to `cpus`. `--expose-gc` lets it
   * measure memory after a collection; BENCH_ROUTER_NODE_FLAGS adds flags
   * such as --cpu-prof to profile it under the benchmark's load.
   */
  static async start(opts: { cpus: string; port: number; adminPort: number; backendUrl: string; databaseUrl?: string }): Promise<RouterProcess> {
    const rpc = await ChildRpc.spawn<Ops, ReadyMessage>({
      name: 'router child',
      script: CHILD,
      cpus: opts.cpus,
      flagsVariable: 'BENCH_ROUTER_NODE_FLAGS',
      nodeFlags: ['--expose-gc'],
      env: {
        [ENV.port]: String(opts.port),
        [ENV.adminPort]: String(opts.adminPort),
        [ENV.backendUrl]: opts.backendUrl,
        ...(opts.databaseUrl ? { [ENV.databaseUrl]: opts.databaseUrl } : {}),
      },
    });
    await waitForPort(opts.port, rpc.process);
    return new RouterProcess(rpc, opts.port, opts.adminPort);
  }

  get pid(): number | undefined {
    return this.rpc.pid;
  }

  call<K extends OpName>(op: K, params: Ops[K]['params']): Promise<Ops[K]['result']> {
    return this.rpc.call(op, params);
  }

  stop(): Promise<void> {
    return this.rpc.stop(5000);
  }
}
