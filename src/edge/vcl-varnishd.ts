import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/**
 * Running a generated VCL in Debian's varnishd, for the Varnish tests and
 * the edge benchmark: where the binary is, and the arguments of a private
 * instance that touches nothing of a system Varnish.
 */

/** varnishd lives in /usr/sbin, which is not on every user's PATH; undefined when not installed. */
export function findVarnishd(path = process.env.PATH ?? ''): string | undefined {
  for (const dir of [...path.split(delimiter).filter(Boolean), '/usr/sbin', '/usr/local/sbin']) {
    const file = join(dir, 'varnishd');
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // Not in this directory.
    }
  }
  return undefined;
}

export const VARNISH_MISSING = 'varnishd is not installed: run scripts/ensure-varnish.sh (apt-get install -y varnish)';

export interface VarnishdInstance {
  /** Its working directory (`-n`): shared memory log, compiled VCL; must be readable by the varnish users. */
  workDir: string;
  /** 127.0.0.1 and a port. */
  port: number;
  vclFile: string;
  /** Megabytes of malloc storage. */
  storageMb: number;
}

/**
 * In the foreground (`-F`), so stopping the process stops the instance; no
 * management port (`-T none`), so instances never clash over one.
 */
export function varnishdArgs(o: VarnishdInstance): string[] {
  return ['-F', '-n', o.workDir, '-a', `127.0.0.1:${o.port}`, '-T', 'none', '-f', o.vclFile, '-s', `malloc,${o.storageMb}m`];
}
