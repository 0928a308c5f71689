/** Public-sector domains a redirect may always point into. */
const ALLOWED_SUFFIXES = ['.gov.uk', '.mod.uk', '.nhs.uk'];

/**
 * Where a retired site may send its visitors: hosts ending .gov.uk, .mod.uk
 * or .nhs.uk, and `hosts` (the whitelisted_hosts table and the platform's
 * own public host). A bouncer answers for government domains, so an
 * imported mapping must not turn one into an open redirect elsewhere.
 */
export class AllowList {
  private readonly hosts: ReadonlySet<string>;

  constructor(hosts: Iterable<string>) {
    this.hosts = new Set([...hosts].map((h) => h.toLowerCase()));
  }

  allowsHost(host: string): boolean {
    const h = host.toLowerCase().replace(/\.$/, '');
    return this.hosts.has(h) || ALLOWED_SUFFIXES.some((s) => h.endsWith(s));
  }

  /** False for anything but an absolute http(s) URL on an allowed host. */
  allowsUrl(url: string): boolean {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      return false;
    }
    return (parsed.protocol === 'http:' || parsed.protocol === 'https:') && this.allowsHost(parsed.hostname);
  }
}

/** A host name from a host name or an origin/URL (`https://www.example.org:8080` -> `www.example.org`). */
export function hostFrom(hostOrUrl: string): string {
  return (hostOrUrl.includes('://') ? new URL(hostOrUrl).hostname : hostOrUrl).toLowerCase();
}
