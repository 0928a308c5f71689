// Portico's edge alone, in front of the benchmark's static origin, in its own
// process pinned to the server CPU. Started by bench/edge.ts; reports over IPC
// (bench/edge-protocol.ts).
import { createEdge } from '../src/edge/index.ts';
import { serveRpc, stopOnSigterm } from './child-rpc.ts';
import { BENCH_PURGE_TOKEN, ENV, type EdgeOps } from './edge-protocol.ts';

const port = Number(process.env[ENV.edgePort]);
const originUrl = process.env[ENV.originUrl];
if (!process.send || !port || !originUrl) {
  console.error(`edge-child: run by the edge benchmark with IPC, ${ENV.edgePort} and ${ENV.originUrl} set`);
  process.exit(2);
}

const edge = createEdge({ originUrl, purgeToken: BENCH_PURGE_TOKEN });
await edge.start(port, '127.0.0.1');
serveRpc<EdgeOps>({ counts: async () => ({ ...edge.counts }) });
stopOnSigterm([['edge', () => edge.stop()]]);
process.send({ ready: true });
