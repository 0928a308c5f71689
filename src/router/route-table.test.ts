import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Mux } from './mux.ts';
import { splitPath } from './path.ts';
import { RouteTable } from './route-table.ts';

type Reg = [path: string, type: 'exact' | 'prefix', backend: string];

function table(regs: Reg[]): RouteTable<string> {
  const t = new RouteTable<string>();
  for (const [path, type, backend] of regs) {
    t.add(splitPath(path)!, {
      route: { incoming_path: path, route_type: type, handler: 'backend', backend_id: backend },
      target: { kind: 'backend', backend },
    });
  }
  return t;
}

// The reference's lookupExamples, as registrations => lookups (undefined: no route).
const EXAMPLES: { regs: Reg[]; lookups: [string, string | undefined][] }[] = [
  { regs: [['/foo', 'exact', 'a'], ['/bar', 'exact', 'b']], lookups: [['/foo', 'a'], ['/bar', 'b'], ['/baz', undefined]] },
  { regs: [['/foo', 'prefix', 'a'], ['/bar', 'exact', 'b']], lookups: [['/foo/bar', 'a']] },
  {
    regs: [['/foo', 'prefix', 'a'], ['/foo/bar', 'exact', 'b']],
    lookups: [['/foo/baz', 'a'], ['/foo/bar', 'b'], ['/foo/bar/bat', 'a']],
  },
  {
    regs: [['/foo', 'prefix', 'a'], ['/foo/bar', 'exact', 'b'], ['/foo/bar/baz', 'prefix', 'c']],
    lookups: [['/foo/bar/baz/qux', 'c'], ['/foo/bar/baz', 'c'], ['/foo/bar', 'b']],
  },
  { regs: [['/foo', 'exact', 'a'], ['/foo', 'prefix', 'b']], lookups: [['/foo', 'a'], ['/foo/baz', 'b'], ['/bar', undefined]] },
  {
    regs: [['/', 'prefix', 'a']],
    lookups: [['/anything', 'a'], ['', 'a'], ['/the/hell', 'a'], ['///you//', 'a'], ['!like!', 'a']],
  },
  { regs: [['/', 'exact', 'a'], ['/foo', 'exact', 'b']], lookups: [['/bar', undefined], ['/', 'a'], ['/foo/', 'b']] },
  { regs: [['/foo', 'prefix', 'a']], lookups: [['/foobar', undefined], ['/foo.json', undefined], ['//foo', 'a']] },
];

for (const { regs, lookups } of EXAMPLES) {
  const t = table(regs);
  for (const [path, expected] of lookups) {
    const label = regs.map(([p, k, b]) => `${k} ${p}=${b}`).join(', ');
    test(`[${label}] ${JSON.stringify(path)} -> ${expected ?? 'none'}`, () => {
      const segments = path.startsWith('/') ? splitPath(path)! : [path];
      const match = t.lookup(segments);
      assert.equal(match?.entry.target.kind === 'backend' ? match.entry.target.backend : undefined, expected);
    });
  }
}

test('the longest prefix match reports how many segments it covered', () => {
  const t = table([['/foo', 'prefix', 'a'], ['/foo/bar', 'prefix', 'b']]);
  assert.equal(t.lookup(['foo', 'bar', 'baz'])?.depth, 2);
  assert.equal(t.lookup(['foo', 'x'])?.depth, 1);
});

test('size counts each path and type once; routes() lists them', () => {
  const t = table([['/a', 'exact', 'x'], ['/a', 'prefix', 'y'], ['/b', 'exact', 'z']]);
  assert.equal(t.size, 3);
  assert.deepEqual(t.routes().map((r) => r.incoming_path), ['/a', '/a', '/b']);
});

test('the mux serves the table swapped in and reports when one has loaded', () => {
  const mux = new Mux<string>();
  assert.equal(mux.hasLoaded, false);
  assert.equal(mux.lookup(['a']), undefined);
  const first = table([['/a', 'exact', 'one']]);
  mux.swap(first);
  assert.equal(mux.hasLoaded, true);
  const held = mux.lookup(['a']);
  const previous = mux.swap(table([['/a', 'exact', 'two']]));
  assert.equal(previous, first);
  assert.deepEqual(mux.lookup(['a'])?.entry.target, { kind: 'backend', backend: 'two' });
  // A request matched before the swap keeps what it was given.
  assert.deepEqual(held?.entry.target, { kind: 'backend', backend: 'one' });
});
