import { parseArgs } from 'node:util';
import { loadConfig } from '../platform/config.ts';
import { createLogger } from '../platform/log.ts';
import { openObjectStore } from '../platform/object-store/index.ts';
import { crawlerFor, type CrawlProgress } from '../mirror/index.ts';
import { systemClock, type Clock } from '../mirror/clock.ts';
import { recordFullCrawl } from '../mirror/state.ts';
import { UsageError } from './routes.ts';

type Out = (line: string) => void;

export const MIRROR_HELP = `  mirror crawl [--origin URL] [--concurrency N] [--rate N]
                                    crawl the live site (default: MIRROR_ORIGIN, the live router) into the
                                    mirror from its sitemap, printing progress each second and a summary;
                                    exits 1 if any page failed`;

const line = (p: CrawlProgress) =>
  `crawled ${p.done}, saved ${p.saved}, queued ${p.queued}, failed ${p.failed}, ${p.rate.toFixed(1)} pages/s`;

function intOption(name: string, raw: string | undefined, max: number): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new UsageError(`--${name} must be a whole number from 1 to ${max}, got ${JSON.stringify(raw)}`);
  return n;
}

/** `portico mirror crawl`: a full crawl now, into the same object store the running mirror uses. */
export async function mirrorCommand(
  args: string[],
  out: Out,
  err: Out,
  env: Record<string, string | undefined> = process.env,
  clock: Clock = systemClock,
): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { origin: { type: 'string' }, concurrency: { type: 'string' }, rate: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    out(`Usage: portico mirror <command> [options]\n\n${MIRROR_HELP}`);
    return 0;
  }
  if (positionals[0] !== 'crawl' || positionals.length > 1) throw new UsageError(`unknown mirror command ${JSON.stringify(positionals.join(' '))}; use crawl`);
  const config = loadConfig(env);
  const settings = { ...config.mirror };
  if (values.origin !== undefined) {
    if (!URL.canParse(values.origin) || !/^https?:$/.test(new URL(values.origin).protocol)) throw new UsageError(`--origin must be an http(s) URL, got ${JSON.stringify(values.origin)}`);
    settings.origin = new URL(values.origin).origin;
  }
  settings.concurrency = intOption('concurrency', values.concurrency, 256) ?? settings.concurrency;
  if (values.rate !== undefined) {
    const rate = Number(values.rate);
    if (!(rate > 0 && rate <= 1000)) throw new UsageError(`--rate must be a number of requests per second above 0 and at most 1000, got ${JSON.stringify(values.rate)}`);
    settings.ratePerSecond = rate;
  }

  const store = await openObjectStore(config);
  const stop = new AbortController();
  const interrupt = () => stop.abort();
  process.once('SIGINT', interrupt);
  try {
    out(`crawling ${settings.origin} into the ${store.kind === 's3' ? 'S3' : 'files'} object store (${settings.concurrency} at once, at most ${settings.ratePerSecond}/s)`);
    let printed = clock.now();
    const crawler = crawlerFor(settings, {
      store,
      siteOrigins: [config.publishing.publicOrigin],
      // Warnings name each page that failed; on stderr, apart from the progress lines.
      log: createLogger({ level: env.LOG_LEVEL || 'warn', destination: process.stderr }),
      clock,
      signal: stop.signal,
      onProgress: (p) => {
        if (clock.now() - printed < 1000) return;
        printed = clock.now();
        out(line(p));
      },
    });
    const started = clock.now();
    const result = await crawler.crawlSite();
    if (stop.signal.aborted) {
      err(`crawl interrupted: ${line(result)}`);
      return 130;
    }
    await recordFullCrawl(store, started, clock.now(), result);
    out(
      `done in ${(result.elapsedMs / 1000).toFixed(1)}s: ${result.done} crawled, ${result.saved} saved (${result.redirects} redirect pages), ` +
        `${result.gone} gone, ${result.failed} failed`,
    );
    if (result.failed > 0) err(`${result.failed} page(s) could not be crawled; the warnings above name them`);
    return result.failed > 0 ? 1 : 0;
  } finally {
    process.off('SIGINT', interrupt);
    await store.close();
  }
}
