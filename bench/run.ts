// `npm run bench -- NAME [options]`: runs one benchmark by name.
// Each benchmark is a module exporting `description` and `main(argv)`, loaded
// only when asked for, so one with missing tools does not stop the others.

interface Benchmark {
  description: string;
  main(argv: string[]): Promise<number>;
}

const BENCHMARKS: Record<string, () => Promise<Benchmark>> = {
  router: () => import('./router.ts'),
  publishing: () => import('./publishing.ts'),
  fanout: () => import('./fanout.ts'),
  frontend: () => import('./frontend.ts'),
  edge: () => import('./edge.ts'),
};

async function run(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  const load = name === undefined ? undefined : BENCHMARKS[name];
  if (!load) {
    if (name !== undefined && name !== '--help' && name !== '-h') console.error(`unknown benchmark: ${name}`);
    console.error('usage: npm run bench -- NAME [options]   (NAME --help for its options)\n\navailable:');
    for (const [key, get] of Object.entries(BENCHMARKS)) console.error(`  ${key.padEnd(12)} ${(await get()).description}`);
    return 2;
  }
  return (await load()).main(rest);
}

// Exit explicitly: a benchmark's stopped children and sockets must not keep the process alive.
process.exit(await run(process.argv.slice(2)));
