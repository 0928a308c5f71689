import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Mux } from './mux.ts';
import { pathKey } from './path.ts';
import { GONE, RouteTable, type Target } from './route-table.ts';

type Reg = [path: string, type: 'exact' | 'prefix', backend: string];

const to = (backend: string): Target<string> => ({ kind: 'backend', backend, backendId: backend });

function table(regs: Reg[]): RouteTable<string> {
  const t = new RouteTable<string>();
  for (const [path, type, backend] of regs) t.set(type, pathKey(path)!, to(backend), path);
  return t;
}

const backendOf = (m: ReturnType<RouteTable<string>['lookup']>) => (m?.target.kind === 'backend' ? m.target.backend : undefined);

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
      const match = t.lookup(pathKey(path.startsWith('/') ? path : `/${path}`)!);
      assert.equal(backendOf(match), expected);
    });
  }
}

test('the longest prefix match reports how many segments it covered', () => {
  const t = table([['/foo', 'prefix', 'a'], ['/foo/bar', 'prefix', 'b']]);
  assert.equal(t.lookup('/foo/bar/baz')?.depth, 2);
  assert.equal(t.lookup('/foo/x')?.depth, 1);
  assert.equal(t.lookup('/foo/bar')?.depth, 2);
});

test('size counts each path and type once; routes() lists them as rows, by path and type', () => {
  const t = table([['/b', 'exact', 'z'], ['/a', 'prefix', 'y'], ['/a', 'exact', 'x'], ['/b', 'exact', 'w']]);
  assert.equal(t.size, 3);
  assert.deepEqual(
    t.routes().map((r) => [r.incoming_path, r.route_type, r.backend_id]),
    [
      ['/a', 'exact', 'x'],
      ['/a', 'prefix', 'y'],
      ['/b', 'exact', 'w'],
    ],
  );
});

test('routes() gives back each row as it was written', () => {
  const t = new RouteTable<string>();
  t.set('exact', pathKey('/caf%C3%A9')!, GONE, '/caf%C3%A9');
  t.set('prefix', '/old', { kind: 'redirect', status: 302, to: '/new', preserve: true, redirectType: 'temporary', segmentsMode: null });
  assert.deepEqual(t.routes(), [
    { incoming_path: '/caf%C3%A9', route_type: 'exact', handler: 'gone', backend_id: null, redirect_to: null, redirect_type: null, segments_mode: null },
    { incoming_path: '/old', route_type: 'prefix', handler: 'redirect', backend_id: null, redirect_to: '/new', redirect_type: 'temporary', segments_mode: null },
  ]);
  assert.equal(t.lookup('/café')?.target, GONE);
});

test('delete removes one route, and forgets how its path was written', () => {
  const t = table([['/a', 'exact', 'x'], ['/a', 'prefix', 'y'], ['/a/b/c', 'prefix', 'z']]);
  t.set('exact', pathKey('/caf%C3%A9')!, GONE, '/caf%C3%A9');
  t.delete('prefix', '/a/b/c');
  t.delete('exact', '/a');
  t.delete('exact', '/never-there');
  t.delete('exact', pathKey('/caf%C3%A9')!);
  assert.equal(t.size, 1);
  assert.equal(backendOf(t.lookup('/a')), 'y');
  assert.equal(backendOf(t.lookup('/a/b/c/d')), 'y');
  t.set('exact', '/café', GONE);
  assert.deepEqual(t.routes().map((r) => r.incoming_path), ['/a', '/café']);
  // The key was once set from another spelling, so other rows may still share it.
  assert.equal(t.mayBeShared('exact', '/café'), true);
  assert.equal(t.mayBeShared('prefix', '/a'), false);
});

test('an encoded slash stays inside its segment; other escapes match their decoded form', () => {
  const t = table([['/foo%2Fbar', 'exact', 'encoded'], ['/foo', 'prefix', 'foo'], ['/a%62c', 'exact', 'abc']]);
  assert.equal(backendOf(t.lookup(pathKey('/foo%2Fbar')!)), 'encoded');
  assert.equal(backendOf(t.lookup(pathKey('/foo%2fbar')!)), 'encoded');
  assert.equal(backendOf(t.lookup(pathKey('/foo/bar')!)), 'foo');
  assert.equal(backendOf(t.lookup(pathKey('/abc')!)), 'abc');
  assert.equal(backendOf(t.lookup(pathKey('/a%62%63')!)), 'abc');
});

test('the mux serves the table swapped in and reports when one has loaded', () => {
  const mux = new Mux<string>();
  assert.equal(mux.hasLoaded, false);
  assert.equal(mux.lookup('/a'), undefined);
  const first = table([['/a', 'exact', 'one']]);
  mux.swap(first);
  assert.equal(mux.hasLoaded, true);
  const held = mux.lookup('/a');
  const previous = mux.swap(table([['/a', 'exact', 'two']]));
  assert.equal(previous, first);
  assert.equal(backendOf(mux.lookup('/a')), 'two');
  // A request matched before the swap keeps what it was given.
  assert.equal(backendOf(held), 'one');
});
