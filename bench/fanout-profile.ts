import { readFileSync } from 'node:fs';

/**
 * A summary of a V8 CPU profile (.cpuprofile) of the stack process: where its
 * one core went during the fan-out. Two views:
 *
 * - by component, inclusive: each sample is charged to the outermost frame
 *   that belongs to project or package code (the async continuation or
 *   callback that was running), with everything it called synchronously
 *   (JSON, the driver's parsing, ...);
 * - top functions by self time.
 *
 * Idle time is what the event loop spent waiting (for PostgreSQL, mostly).
 */

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export interface ProfileSummary {
  seconds: number;
  /** [label, share of samples] */
  byComponent: [string, number][];
  topSelf: [string, number][];
}

const SPECIAL: Record<string, string> = {
  '(idle)': 'idle (waiting on I/O)',
  '(garbage collector)': 'garbage collection',
  '(program)': 'V8/native, unattributed',
};

/** The component a frame's script belongs to, or undefined for Node's own and V8's code. */
function component(url: string): string | undefined {
  const nm = url.lastIndexOf('/node_modules/');
  if (nm !== -1) {
    const rest = url.slice(nm + '/node_modules/'.length).split('/');
    return `npm: ${rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]}`;
  }
  const src = url.indexOf('/src/');
  if (src !== -1) {
    const parts = url.slice(src + 1).split('/');
    // src/publishing-api/expansion/expand.ts -> src/publishing-api/expansion; src/content-store/store.ts -> src/content-store/store.ts
    return parts.length > 3 ? parts.slice(0, 3).join('/') : parts.join('/');
  }
  if (url.includes('/bench/')) return 'bench instrumentation';
  return undefined;
}

function nodeLabel(url: string): string {
  if (!url) return 'V8 builtins (JSON, RegExp, ...)';
  if (url.startsWith('node:')) {
    const name = url.slice(5).replace(/^internal\//, '').split('/')[0]!;
    return `node: ${name}`;
  }
  return component(url) ?? url;
}

export function summariseProfile(file: string, top = 20): ProfileSummary {
  const p = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

  // The component a node's time is charged to: the outermost project or package frame above it, else its own kind.
  const charged = new Map<number, string>();
  const chargeOf = (id: number): string => {
    const hit = charged.get(id);
    if (hit) return hit;
    const chain: ProfileNode[] = [];
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) chain.push(byId.get(cur)!);
    const leaf = chain[0]!.callFrame;
    let label = SPECIAL[leaf.functionName];
    if (!label) {
      for (let i = chain.length - 1; i >= 0 && !label; i--) label = component(chain[i]!.callFrame.url);
      label ??= nodeLabel(leaf.url);
    }
    charged.set(id, label);
    return label;
  };

  const byComponent = new Map<string, number>();
  const self = new Map<string, number>();
  let total = 0;
  p.samples.forEach((id, i) => {
    const dt = p.timeDeltas[i] ?? 0;
    total += dt;
    const c = chargeOf(id);
    byComponent.set(c, (byComponent.get(c) ?? 0) + dt);
    const f = byId.get(id)!.callFrame;
    const where = f.url ? `${nodeLabel(f.url)}:${f.lineNumber + 1}` : 'native';
    const key = SPECIAL[f.functionName] ?? `${f.functionName || '(anonymous)'} (${where})`;
    self.set(key, (self.get(key) ?? 0) + dt);
  });
  const share = (m: Map<string, number>, n: number): [string, number][] =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([k, v]) => [k, v / (total || 1)]);
  return { seconds: (p.endTime - p.startTime) / 1e6, byComponent: share(byComponent, top), topSelf: share(self, top) };
}
