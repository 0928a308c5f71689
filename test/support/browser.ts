// The whole platform as `npm start` starts it, and headless Chromium to drive
// it: shared by the browser tests, which each start their own on free ports.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import axe from 'axe-core';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { PortName } from '../../src/platform/config.ts';
import { createTestDatabase, TEST_DATABASE } from '../../src/platform/db/testing.ts';
import { eventually, freePortEnv } from './ports.ts';

const CHROMIUM = '/usr/bin/chromium';
const BIN = fileURLToPath(new URL('../../bin/portico.mjs', import.meta.url));
export const SCREENSHOTS = fileURLToPath(new URL('../screenshots/', import.meta.url));

export interface Platform {
  /** `http://127.0.0.1:<port>` of one of its entry points. */
  url(name: PortName): string;
  /** What it has printed so far, for a failure's message. */
  output(): string;
  stop(): Promise<void>;
}

/** Chromium, headless; checked first, so a machine without it learns how to get it in a second rather than after the platform starts. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `The browser tests need Chromium at ${CHROMIUM}. Install it with \`apt-get update && apt-get install -y chromium\` ` +
        '(as root), or run scripts/ensure-chromium.sh.',
    );
  }
  mkdirSync(SCREENSHOTS, { recursive: true });
  return chromium.launch({ executablePath: CHROMIUM });
}

/**
 * `portico start` with every port free, its own data directory, and its own
 * database in services mode (PORTICO_TEST_DATABASE=postgres); resolves once
 * it says it is up.
 */
export async function startPlatform(): Promise<Platform> {
  const dir = mkdtempSync(join(tmpdir(), 'portico-browser-'));
  const free = await freePortEnv();
  const env: NodeJS.ProcessEnv = { ...process.env, PORTICO_DATA_DIR: join(dir, 'data'), LOG_LEVEL: 'warn', ...free.env };
  delete env.DATABASE_URL;
  let dropDatabase: (() => Promise<void>) | undefined;
  if (TEST_DATABASE === 'postgres') {
    const created = await createTestDatabase();
    env.DATABASE_URL = created.url;
    dropDatabase = created.drop;
  }
  let output = '';
  const child: ChildProcess = spawn(process.execPath, [BIN, 'start'], { env });
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const platform: Platform = {
    url: (name) => `http://127.0.0.1:${free.port(name)}`,
    output: () => output,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      await dropDatabase?.();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  try {
    await eventually(() => {
      if (child.exitCode !== null) throw new Error(`portico start exited ${child.exitCode}`);
      return output.includes('Stop with Ctrl-C') ? true : undefined;
    }, 60_000, 'portico start');
  } catch (err) {
    await platform.stop();
    throw new Error(`${(err as Error).message}\n--- output so far ---\n${output.slice(-3000)}`);
  }
  return platform;
}

/** The axe rules a page breaks at serious or critical impact, each with the elements that break it. */
export async function seriousViolations(page: Page): Promise<string[]> {
  // Evaluated rather than added as a <script>: pages with a Content-Security-Policy refuse inline scripts, as they should.
  await page.evaluate(`${axe.source}\n;undefined`);
  const results = await page.evaluate(() => (globalThis as unknown as { axe: typeof axe }).axe.run({ resultTypes: ['violations'] }));
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}
