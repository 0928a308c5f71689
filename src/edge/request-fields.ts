import { REQUEST_ID_HEADER } from '../platform/log.ts';
import { PURGE_TOKEN_HEADER, SOFT_PURGE_HEADER } from './purge-types.ts';

/** The client's request id and the other fields the edge reads, from the raw list: `req.headers` would build an object of every field. */
export class RequestFields {
  host: string | undefined = undefined;
  acceptEncoding: string | undefined = undefined;
  requestId: string | undefined = undefined;
  purgeToken: string | undefined = undefined;
  softPurge: string | undefined = undefined;
  ifNoneMatch: string | undefined = undefined;

  read(raw: string[]): this {
    this.host = this.acceptEncoding = this.requestId = this.purgeToken = this.softPurge = this.ifNoneMatch = undefined;
    for (let i = 0; i < raw.length; i += 2) {
      const name = raw[i]!;
      switch (name.length) {
        case 4:
          if (name === 'Host' || name.toLowerCase() === 'host') this.host = raw[i + 1];
          break;
        case 13:
          if (name === 'If-None-Match' || name.toLowerCase() === 'if-none-match') this.ifNoneMatch = raw[i + 1];
          break;
        case 15:
          if (name === 'Accept-Encoding' || name.toLowerCase() === 'accept-encoding') this.acceptEncoding = raw[i + 1];
          break;
        // The Portico fields share lengths (request id and soft purge are both 18), so they are told apart by name.
        case 18:
        case 19: {
          const lower = name.toLowerCase();
          if (lower === REQUEST_ID_HEADER) this.requestId = this.requestId === undefined ? raw[i + 1] : `${this.requestId}, ${raw[i + 1]}`;
          else if (lower === PURGE_TOKEN_HEADER) this.purgeToken = raw[i + 1];
          else if (lower === SOFT_PURGE_HEADER) this.softPurge = raw[i + 1];
          break;
        }
      }
    }
    return this;
  }
}
