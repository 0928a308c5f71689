import { writeFileSync } from 'node:fs';
import type { Config } from '../platform/config.ts';
import { generateVcl, VCL_DEFAULTS, VclOptionError, type VclOptions } from '../edge/vcl.ts';
import { UsageError } from './routes.ts';

type Out = (line: string) => void;

/** The `portico edge vcl` flags, as parseArgs gives them. */
export interface EdgeVclFlags {
  out?: string;
  origin?: string;
  mirror?: string;
  'www-host'?: string;
  'apex-host'?: string;
  'purge-token'?: string;
  'default-ttl'?: string;
  'probe-path'?: string;
}

/** A comma-separated host list flag. */
function hosts(flag: string | undefined): string[] | undefined {
  return flag === undefined ? undefined : flag.split(',').map((h) => h.trim()).filter(Boolean);
}

/**
 * The configuration's edge settings as VCL options: www's canonical host is
 * PORTICO_PUBLIC_ORIGIN's, then EDGE_WWW_HOST's others; the mirror is the
 * mirror service's static server on this host.
 */
function fromConfig(config: Config): VclOptions {
  const canonical = new URL(config.edge.wwwOrigin).hostname;
  return {
    ...VCL_DEFAULTS,
    originUrl: config.edge.originUrl,
    mirrorUrl: `http://${config.host}:${config.ports.mirror}`,
    wwwHosts: [canonical, ...config.edge.wwwHosts.filter((h) => h !== canonical)],
    apexHosts: config.edge.apexHosts,
    purgeToken: config.edge.purgeToken ?? '',
    defaultTtlSeconds: Math.round(config.edge.defaultTtlMs / 1000),
    staleIfErrorSeconds: Math.round(config.edge.staleIfErrorMs / 1000),
  };
}

/**
 * `portico edge vcl`: writes a Varnish configuration with the edge's rules,
 * to FILE or standard output. Flags win over the configuration.
 */
export function edgeVclCommand(flags: EdgeVclFlags, config: Config, out: Out, err: Out): number {
  const base = fromConfig(config);
  const ttl = flags['default-ttl'];
  if (ttl !== undefined && !/^\d+$/.test(ttl)) throw new UsageError(`--default-ttl: must be a whole number of seconds, got ${JSON.stringify(ttl)}`);
  const options: VclOptions = {
    ...base,
    originUrl: flags.origin ?? base.originUrl,
    mirrorUrl: flags.mirror ?? base.mirrorUrl,
    wwwHosts: hosts(flags['www-host']) ?? base.wwwHosts,
    apexHosts: hosts(flags['apex-host']) ?? base.apexHosts,
    purgeToken: flags['purge-token'] ?? base.purgeToken,
    defaultTtlSeconds: ttl === undefined ? base.defaultTtlSeconds : Number(ttl),
    probePath: flags['probe-path'] ?? base.probePath,
  };
  if (options.purgeToken === '') throw new UsageError('edge vcl needs a purge token: --purge-token T or EDGE_PURGE_TOKEN (the one the edge purges its peers with; set it for both)');
  let vcl: string;
  try {
    vcl = generateVcl(options);
  } catch (e) {
    if (!(e instanceof VclOptionError)) throw e;
    const flag = FLAG_OF[e.field as keyof VclOptions] ?? e.field;
    throw new UsageError(`--${flag}: ${e.message.slice(e.field.length + 2)}`);
  }
  if (flags.out === undefined) {
    out(vcl.trimEnd());
    return 0;
  }
  writeFileSync(flags.out, vcl);
  err(`wrote ${flags.out}: Varnish 7.1 VCL for www ${options.wwwHosts.join(', ')}, origin ${options.originUrl}, mirror ${options.mirrorUrl}; check it with varnishd -C -f ${flags.out}`);
  return 0;
}

const FLAG_OF: Partial<Record<keyof VclOptions, string>> = {
  originUrl: 'origin',
  mirrorUrl: 'mirror',
  wwwHosts: 'www-host',
  apexHosts: 'apex-host',
  purgeToken: 'purge-token',
  defaultTtlSeconds: 'default-ttl',
  probePath: 'probe-path',
};
