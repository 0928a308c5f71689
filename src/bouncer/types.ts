import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * Answers for the hosts of retired websites (transition sites). The edge asks
 * `servesHost` on every request, so it is answered from memory, kept fresh as
 * sites are imported.
 */
export interface Bouncer {
  /** True when the (lower-cased, port-less) host belongs to a transition site. */
  servesHost(host: string): boolean;
  /** 301 to the new URL, 410 with the archive link, 404, or that host's sitemap.xml / robots.txt. */
  handle(req: IncomingMessage, res: ServerResponse): Promise<void>;
  close(): Promise<void>;
}
