import { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import net from 'node:net';
import tls from 'node:tls';
import { REQUEST_ID_HEADER } from '../platform/log.ts';

/**
 * The router's reverse proxy.
 *
 * Node's own HTTP clients (http.Agent, undici) cost more per request than the
 * rest of the router put together, so this is a small HTTP/1.1 client written
 * for exactly one job: a request head built as one string and sent with one
 * write, a response head parsed by hand and handed to `res.writeHead` as a flat
 * array, bodies streamed both ways, and keep-alive sockets kept per backend.
 */

export interface ProxyOptions {
  /** Milliseconds to establish a backend connection (TLS handshake included); exceeded -> 504. */
  connectTimeoutMs: number;
  /** Milliseconds from the request being sent to the response head; exceeded -> 504. A slow body after it still streams. */
  headerTimeoutMs: number;
  /** Accept any certificate from https backends (self-signed ones in development). */
  tlsSkipVerify: boolean;
  observer?: ProxyObserver;
}

export interface ProxyObserver {
  /** Once per proxied request: when the backend's response head is known, or with the synthetic error status. */
  response(backendId: string, method: string, status: number, seconds: number): void;
  /**
   * A backend failure: 'refused', 'timeout' or 'error' before a response
   * head (502/504 sent), or 'aborted' when a body was cut short in either
   * direction after the exchange started.
   */
  failure(backendId: string, kind: string, err: Error, requestId: string): void;
}

/** Idle keep-alive sockets kept per backend; enough for a busy backend, bounded so a burst cannot pin file descriptors. */
const MAX_IDLE = 256;
/** How long an idle socket is kept when the backend gives no Keep-Alive hint. */
const DEFAULT_IDLE_MS = 60_000;
/** Backends close idle sockets at their advertised timeout; stop using them a little earlier so we rarely race that close. */
const IDLE_HINT_MARGIN_MS = 1_000;
const TCP_KEEPALIVE_MS = 30_000;
/**
 * Header timeouts are checked by one ticker per backend rather than a timer
 * per request (a setTimeout/clearTimeout pair per request is measurable
 * here); ticking at a tenth of the timeout keeps them within 10% of it.
 */
const MIN_TICK_MS = 10;
const MAX_TICK_MS = 1_000;
/** A backend response head beyond this is treated as a broken backend, not buffered forever. */
const MAX_HEAD_BYTES = 256 * 1024;
/** Larger chunk sizes can only come from a broken backend, and would lose precision. */
const MAX_CHUNK_SIZE = 2 ** 40;
/**
 * A connect deadline that is found this late has not really been given its
 * time: the event loop was held up (by a large route reload, say), so the
 * connection gets one more period, counted from when the loop came back.
 */
const LATE_TIMER_MS = 100;

const HEAD_END = Buffer.from('\r\n\r\n', 'latin1');

/**
 * Every backend socket reads into this one buffer (net's `onread`), which
 * spares a fresh 64 KiB allocation and the stream machinery on every read.
 * It is safe to share because each read is handled synchronously; anything
 * kept past the callback (a partial head, body bytes handed to the client
 * response) is copied out first.
 */
const readBuffer = Buffer.allocUnsafe(64 * 1024);

// How the request body is framed towards the backend.
const NO_BODY = 0;
const LENGTH_BODY = 1;
const CHUNKED_BODY = 2;

// Response parser states (per connection).
const IDLE = 0;
const HEAD = 1;
const LENGTH = 2;
const CHUNKED = 3;
const UNTIL_CLOSE = 4;

// Chunked-body framing states.
const CH_SIZE = 0;
const CH_EXT = 1;
const CH_SIZE_LF = 2;
const CH_DATA = 3;
const CH_DATA_CR = 4;
const CH_DATA_LF = 5;
const CH_TRAILER_START = 6;
const CH_TRAILER = 7;
const CH_END_LF = 8;

class ProxyError extends Error {
  constructor(
    message: string,
    readonly code = 'EPROXY',
  ) {
    super(message);
  }
}

/** One client request on its way through the proxy (it can move to a second connection on retry). */
class Exchange {
  conn: Conn | null = null;
  head = '';
  bodyKind = NO_BODY;
  /** The whole request, body included, has been handed to the socket. */
  reqDone = true;
  /** Some body bytes (or the chunked terminator) have been written, so the request can no longer be replayed. */
  bodyStarted = false;
  reqPaused = false;
  resPaused = false;
  headersSent = false;
  done = false;
  retried = false;
  /** performance.now() by which the response head must arrive; 0 while not waiting for one. */
  headerDeadline = 0;
  onResDrain: (() => void) | null = null;
  readonly isHead: boolean;
  readonly start = performance.now();

  constructor(
    readonly upstream: Upstream,
    readonly req: IncomingMessage,
    readonly res: ServerResponse,
    readonly requestId: string,
  ) {
    this.isHead = req.method === 'HEAD';
  }

  pumpBody(): void {
    this.reqDone = false;
    this.req.on('data', (chunk: Buffer) => this.sendBody(chunk));
    this.req.on('end', () => this.endBody());
  }

  private sendBody(chunk: Buffer): void {
    const conn = this.conn;
    // After a failure or an early complete response the rest of the upload is
    // just drained, so Node can finish reading the client's request.
    if (conn === null || chunk.length === 0) return;
    this.bodyStarted = true;
    const socket = conn.socket;
    let ok: boolean;
    if (this.bodyKind === CHUNKED_BODY) {
      socket.cork();
      socket.write(chunk.length.toString(16) + '\r\n', 'latin1');
      socket.write(chunk);
      ok = socket.write('\r\n', 'latin1');
      socket.uncork();
    } else {
      ok = socket.write(chunk);
    }
    if (!ok) {
      this.reqPaused = true;
      this.req.pause();
    }
  }

  private endBody(): void {
    this.reqDone = true;
    const conn = this.conn;
    if (conn === null) return;
    if (this.bodyKind === CHUNKED_BODY) {
      this.bodyStarted = true;
      conn.socket.write('0\r\n\r\n', 'latin1');
    }
    if (conn.connected) this.upstream.awaitHead(this, performance.now());
  }

  resumeRequest(): void {
    if (this.reqPaused) {
      this.reqPaused = false;
      this.req.resume();
    }
  }

  /** Stops reading the backend until the client has taken what it was sent. */
  holdBackend(conn: Conn): void {
    if (this.resPaused) return;
    this.resPaused = true;
    conn.socket.pause();
    this.onResDrain ??= () => {
      this.resPaused = false;
      this.conn?.socket.resume();
    };
    this.res.once('drain', this.onResDrain);
  }
}

/** A backend socket and the parser state of the response currently arriving on it. */
class Conn {
  ex: Exchange | null = null;
  connected = false;
  /** Has carried an earlier exchange: the backend may have closed it just as we reused it. */
  reused = false;
  gotBytes = false;
  timedOut = false;
  err: Error | null = null;
  connectTimer: NodeJS.Timeout | null = null;
  /** performance.now() at which the connect timer was due. */
  connectDue = 0;
  /** The connect deadline has already been extended once for a held-up event loop. */
  connectExtended = false;
  expiresAt = 0;

  state = IDLE;
  pending: Buffer | null = null;
  remaining = 0;
  chunkState = CH_SIZE;
  sawDigit = false;

  // The response head being forwarded.
  version = '1.1';
  headers: string[] = [];
  bodyLength = -1;
  chunked = false;
  keepAlive = true;
  /** The backend sent a request id of its own, which then goes to the client instead of ours. */
  sentRequestId = false;
  idleMs = DEFAULT_IDLE_MS;

  readonly socket: net.Socket;

  constructor(readonly upstream: Upstream) {
    const socket = upstream.openSocket({ buffer: readBuffer, callback: this.onRead });
    this.socket = socket;
    socket.on('end', this.onEnd);
    socket.on('error', this.onError);
    socket.on('close', this.onClose);
    socket.on('drain', this.onDrain);
  }

  /** Sends the exchange's request head; called in the same tick as `forward` for a pooled socket, so `ex.start` is "now". */
  start(ex: Exchange): void {
    this.ex = ex;
    ex.conn = this;
    this.state = HEAD;
    this.gotBytes = false;
    this.pending = null;
    this.socket.write(ex.head, 'latin1');
    if (this.connected && ex.reqDone) this.upstream.awaitHead(ex, ex.start);
  }

  readonly onConnect = (): void => {
    if (this.connectTimer !== null) {
      clearTimeout(this.connectTimer);
      this.connectTimer = null;
    }
    this.connected = true;
    const ex = this.ex;
    if (ex !== null && ex.reqDone) this.upstream.awaitHead(ex, performance.now());
  };

  private readonly onRead = (n: number): boolean => {
    const ex = this.ex;
    if (ex === null) {
      // Bytes nobody asked for: the connection is out of step, so drop it.
      this.socket.destroy();
      return false;
    }
    this.gotBytes = true;
    try {
      this.consume(ex, readBuffer.subarray(0, n));
    } catch (err) {
      // Malformed responses, and headers Node refuses to send, end up here;
      // destroying routes them through the one failure path in onClose.
      this.socket.destroy(err as Error);
    }
    return true;
  };

  private readonly onEnd = (): void => {
    const ex = this.ex;
    if (ex !== null && this.state === UNTIL_CLOSE) this.finish(ex, null);
    else this.socket.destroy();
  };

  private readonly onError = (err: Error): void => {
    this.err ??= err;
  };

  private readonly onClose = (): void => {
    if (this.connectTimer !== null) {
      clearTimeout(this.connectTimer);
      this.connectTimer = null;
    }
    this.upstream.connClosed(this);
  };

  private readonly onDrain = (): void => {
    this.ex?.resumeRequest();
  };

  private consume(ex: Exchange, chunk: Buffer): void {
    let data = chunk;
    let off = 0;
    if (this.state === HEAD) {
      let from = 0;
      if (this.pending !== null) {
        // The terminator may straddle the two reads.
        from = Math.max(0, this.pending.length - 3);
        data = Buffer.concat([this.pending, chunk]);
        this.pending = null;
      }
      let status = 0;
      for (;;) {
        const end = data.indexOf(HEAD_END, from);
        if (end === -1) {
          if (data.length - off > MAX_HEAD_BYTES) throw new ProxyError('backend response head too large');
          this.pending = Buffer.from(data.subarray(off));
          return;
        }
        status = this.parseHead(data.toString('latin1', off, end));
        off = end + 4;
        if (status >= 200) break;
        // We never ask to upgrade, so a 101 means the backend is confused;
        // other 1xx are interim and the final head follows.
        if (status === 101) throw new ProxyError('backend switched protocols without being asked');
        from = off;
      }
      if (!this.respond(ex, status)) {
        if (off < data.length) this.keepAlive = false;
        this.finish(ex, null);
        return;
      }
    }
    if (off === data.length) return;
    if (this.state === LENGTH) {
      const avail = data.length - off;
      if (avail < this.remaining) {
        this.remaining -= avail;
        this.write(ex, data.subarray(off));
        return;
      }
      const end = off + this.remaining;
      this.remaining = 0;
      if (end < data.length) this.keepAlive = false;
      this.finish(ex, Buffer.from(data.subarray(off, end)));
    } else if (this.state === CHUNKED) {
      this.dechunk(ex, data, off);
    } else {
      this.write(ex, data.subarray(off));
    }
  }

  /** Parses a response head (status line and fields, without the blank line) into this connection's fields; returns the status. */
  private parseHead(head: string): number {
    const len = head.length;
    if (len < 12 || !head.startsWith('HTTP/1.') || head.charCodeAt(8) !== 32) {
      throw new ProxyError('malformed status line from backend');
    }
    const minor = head.charCodeAt(7);
    if (minor !== 48 && minor !== 49) throw new ProxyError('unsupported HTTP version from backend');
    const status = digit(head, 9) * 100 + digit(head, 10) * 10 + digit(head, 11);
    if (len > 12 && head.charCodeAt(12) !== 32 && head.charCodeAt(12) !== 13) {
      throw new ProxyError('malformed status line from backend');
    }
    this.version = minor === 48 ? '1.0' : '1.1';
    this.keepAlive = minor === 49;
    this.idleMs = DEFAULT_IDLE_MS;
    this.sentRequestId = false;

    const headers: string[] = [];
    let via: string | undefined;
    let te: string | undefined;
    let connection: string | undefined;
    let contentLength: string | undefined;
    let pos = head.indexOf('\r\n');
    pos = pos === -1 ? len : pos + 2;
    while (pos < len) {
      let eol = head.indexOf('\r\n', pos);
      if (eol === -1) eol = len;
      const colon = head.indexOf(':', pos);
      // Also rejects obs-fold continuation lines, which RFC 9112 lets a proxy refuse.
      if (colon <= pos || colon > eol || head.charCodeAt(pos) === 32 || head.charCodeAt(pos) === 9) {
        throw new ProxyError('malformed header line from backend');
      }
      const name = head.slice(pos, colon);
      const value = trimOws(head, colon + 1, eol);
      pos = eol + 2;
      // Only names of these lengths need a closer look, which spares a
      // toLowerCase for most fields.
      switch (name.length) {
        case 2:
          if (name.toLowerCase() === 'te') continue;
          break;
        case 3:
          if (name.toLowerCase() === 'via') {
            via = via === undefined ? value : via + ', ' + value;
            continue;
          }
          break;
        case 7: {
          const lower = name.toLowerCase();
          if (lower === 'trailer' || lower === 'upgrade') continue;
          break;
        }
        case 10: {
          const lower = name.toLowerCase();
          if (lower === 'connection') {
            connection = connection === undefined ? value : connection + ',' + value;
            continue;
          }
          if (lower === 'keep-alive') {
            this.idleMs = keepAliveHint(value);
            continue;
          }
          break;
        }
        case 14:
          if (name.toLowerCase() === 'content-length') {
            // Disagreeing lengths are how responses get smuggled; refuse them.
            if (contentLength !== undefined && contentLength !== value) {
              throw new ProxyError('conflicting Content-Length from backend');
            }
            contentLength = value;
            continue;
          }
          break;
        case 16:
          if (name.toLowerCase() === 'proxy-connection') continue;
          break;
        case 17:
          if (name.toLowerCase() === 'transfer-encoding') {
            te = te === undefined ? value : te + ',' + value;
            continue;
          }
          break;
        case 18: {
          const lower = name.toLowerCase();
          if (lower === 'proxy-authenticate') continue;
          if (lower === REQUEST_ID_HEADER) this.sentRequestId = true;
          break;
        }
        case 19:
          if (name.toLowerCase() === 'proxy-authorization') continue;
          break;
      }
      headers.push(name, value);
    }

    this.chunked = te !== undefined && lastTokenIsChunked(te);
    if (te !== undefined) {
      // Transfer-Encoding overrides Content-Length (RFC 9112 6.3); a
      // non-chunked coding can only be delimited by the connection closing.
      this.bodyLength = -1;
    } else if (contentLength !== undefined) {
      this.bodyLength = parseLength(contentLength);
      if (this.bodyLength < 0) throw new ProxyError('invalid Content-Length from backend');
      headers.push('Content-Length', contentLength);
    } else {
      this.bodyLength = -1;
    }
    headers.push('Via', (via === undefined ? '' : via + ', ') + this.version + ' router');
    this.headers = connection === undefined ? headers : this.applyConnection(connection, headers);
    return status;
  }

  /** Reads close/keep-alive from Connection, and drops the fields it names as hop-by-hop. */
  private applyConnection(connection: string, headers: string[]): string[] {
    // Nearly every backend sends exactly one of these two.
    if (connection.length === 10 && connection.toLowerCase() === 'keep-alive') {
      this.keepAlive = true;
      return headers;
    }
    if (connection.length === 5 && connection.toLowerCase() === 'close') {
      this.keepAlive = false;
      return headers;
    }
    const named: string[] = [];
    let close = false;
    let keepAlive = false;
    for (const token of connectionTokens(connection)) {
      if (token === 'close') close = true;
      else if (token === 'keep-alive') keepAlive = true;
      else named.push(token);
    }
    this.keepAlive = !close && (this.version === '1.1' || keepAlive);
    return named.length === 0 ? headers : withoutFields(headers, named);
  }

  /** Sends the response head to the client; returns whether a body follows. */
  private respond(ex: Exchange, status: number): boolean {
    ex.headerDeadline = 0;
    const headers = this.headers;
    if (!this.sentRequestId) headers.push(REQUEST_ID_HEADER, ex.requestId);
    // One flat array and nothing set on the response before: Node's fast path, which also keeps repeated fields.
    ex.res.writeHead(status, headers);
    ex.headersSent = true;
    this.upstream.observer?.response(
      this.upstream.id,
      ex.req.method ?? '',
      status,
      (performance.now() - ex.start) / 1000,
    );
    if (ex.isHead || status === 204 || status === 304 || this.bodyLength === 0) return false;
    if (this.chunked) {
      this.state = CHUNKED;
      this.chunkState = CH_SIZE;
      this.remaining = 0;
      this.sawDigit = false;
    } else if (this.bodyLength > 0) {
      this.state = LENGTH;
      this.remaining = this.bodyLength;
    } else {
      this.state = UNTIL_CLOSE;
      this.keepAlive = false;
    }
    return true;
  }

  /** Decodes chunked framing and writes the data so Node frames it afresh for the client. */
  private dechunk(ex: Exchange, data: Buffer, off: number): void {
    const len = data.length;
    let i = off;
    while (i < len) {
      switch (this.chunkState) {
        case CH_SIZE: {
          const c = data[i++]!;
          const v = hexValue(c);
          if (v >= 0) {
            this.remaining = this.remaining * 16 + v;
            if (this.remaining > MAX_CHUNK_SIZE) throw new ProxyError('chunk too large from backend');
            this.sawDigit = true;
          } else if (!this.sawDigit) {
            throw new ProxyError('malformed chunk size from backend');
          } else if (c === 13) {
            this.chunkState = CH_SIZE_LF;
          } else if (c === 59 || c === 32 || c === 9) {
            this.chunkState = CH_EXT;
          } else {
            throw new ProxyError('malformed chunk size from backend');
          }
          break;
        }
        case CH_EXT: {
          const cr = data.indexOf(13, i);
          if (cr === -1) {
            i = len;
          } else {
            i = cr + 1;
            this.chunkState = CH_SIZE_LF;
          }
          break;
        }
        case CH_SIZE_LF:
          expectByte(data[i++]!, 10);
          this.chunkState = this.remaining === 0 ? CH_TRAILER_START : CH_DATA;
          break;
        case CH_DATA: {
          const n = Math.min(this.remaining, len - i);
          this.write(ex, data.subarray(i, i + n));
          i += n;
          this.remaining -= n;
          if (this.remaining === 0) this.chunkState = CH_DATA_CR;
          break;
        }
        case CH_DATA_CR:
          expectByte(data[i++]!, 13);
          this.chunkState = CH_DATA_LF;
          break;
        case CH_DATA_LF:
          expectByte(data[i++]!, 10);
          this.chunkState = CH_SIZE;
          this.sawDigit = false;
          break;
        case CH_TRAILER_START:
          // Trailers are dropped: Node would need them declared before the body.
          this.chunkState = data[i++] === 13 ? CH_END_LF : CH_TRAILER;
          break;
        case CH_TRAILER: {
          const lf = data.indexOf(10, i);
          if (lf === -1) {
            i = len;
          } else {
            i = lf + 1;
            this.chunkState = CH_TRAILER_START;
          }
          break;
        }
        case CH_END_LF:
          expectByte(data[i++]!, 10);
          if (i < len) this.keepAlive = false;
          this.finish(ex, null);
          return;
      }
    }
  }

  /** Writes body bytes to the client, copied out of the shared read buffer, which Node may hold on to. */
  private write(ex: Exchange, view: Buffer): void {
    if (!ex.res.write(Buffer.from(view))) ex.holdBackend(this);
  }

  private finish(ex: Exchange, last: Buffer | null): void {
    this.state = IDLE;
    this.ex = null;
    ex.conn = null;
    this.upstream.settle(ex);
    if (last === null) ex.res.end();
    else ex.res.end(last);
    ex.resumeRequest();
    this.upstream.release(this, ex);
  }
}

/**
 * One backend. Holds its keep-alive pool; reused across route reloads while
 * its URL is unchanged so that pool survives.
 */
export class Upstream {
  readonly observer: ProxyObserver | undefined;
  private readonly secure: boolean;
  private readonly host: string;
  private readonly port: number;
  private readonly hostHeader: string;
  private readonly basePath: string;
  private readonly baseQuery: string;
  private readonly connectTimeoutMs: number;
  private readonly headerTimeoutMs: number;
  private readonly tlsOptions: tls.ConnectionOptions | null;
  /** Newest last: reusing the most recently used socket keeps the rest idle long enough to age out. */
  private readonly idle: Conn[] = [];
  /** Every open socket, idle or busy, for the ticker. */
  private readonly conns = new Set<Conn>();
  private readonly tickMs: number;
  private ticker: NodeJS.Timeout | null = null;
  /** A second look at overdue response heads, after the I/O poll (see `tick`). */
  private overdueCheck: NodeJS.Immediate | null = null;
  private active = 0;
  private closed = false;
  private drained: Promise<void> | null = null;
  private onDrained: (() => void) | null = null;

  constructor(
    readonly id: string,
    readonly url: string,
    opts: ProxyOptions,
  ) {
    const u = new URL(url);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') {
      throw new TypeError(`backend ${id}: unsupported URL scheme in ${url}`);
    }
    this.secure = u.protocol === 'https:';
    this.host = u.hostname.startsWith('[') ? u.hostname.slice(1, -1) : u.hostname;
    this.port = u.port === '' ? (this.secure ? 443 : 80) : Number(u.port);
    if (this.port === 0) throw new TypeError(`backend ${id}: port 0 in ${url}`);
    this.hostHeader = u.host;
    const path = u.pathname;
    this.basePath = path.endsWith('/') ? path.slice(0, -1) : path;
    this.baseQuery = u.search.slice(1);
    this.connectTimeoutMs = opts.connectTimeoutMs;
    this.headerTimeoutMs = opts.headerTimeoutMs;
    this.tickMs = Math.min(MAX_TICK_MS, Math.max(MIN_TICK_MS, Math.ceil(opts.headerTimeoutMs / 10)));
    this.observer = opts.observer;
    this.tlsOptions = this.secure
      ? {
          host: this.host,
          port: this.port,
          servername: net.isIP(this.host) === 0 ? this.host : undefined,
          rejectUnauthorized: !opts.tlsSkipVerify,
          ALPNProtocols: ['http/1.1'],
        }
      : null;
  }

  /**
   * Streams req to the backend and the response back. `requestId` goes to the
   * backend, and on the response unless the backend set one of its own; the
   * response head is written with one `writeHead`, so `res` must have no
   * headers set on it before. Never throws; never crashes the process.
   */
  forward(req: IncomingMessage, res: ServerResponse, requestId: string): void {
    const ex = new Exchange(this, req, res, requestId);
    this.active++;
    try {
      this.buildHead(ex);
      // An inline arrow rather than a bound class field: tsx's keepNames
      // would otherwise add a defineProperty to every request.
      res.on('close', () => this.clientClosed(ex));
      // Body chunks arrive on a later tick, by which time dispatch has given
      // the exchange its connection.
      if (ex.bodyKind !== NO_BODY) ex.pumpBody();
      this.dispatch(ex, false);
    } catch (err) {
      this.fail(ex, 'error', err as Error);
    }
  }

  /**
   * Stops pooling, closes idle sockets, and resolves once requests in flight
   * have finished (they keep their connections until then).
   */
  close(): Promise<void> {
    this.closed = true;
    for (const conn of this.idle.splice(0)) conn.socket.destroy();
    if (this.active === 0) return Promise.resolve();
    this.drained ??= new Promise((resolve) => {
      this.onDrained = resolve;
    });
    return this.drained;
  }

  /** @internal The request has been sent in full (at `now`): the header timeout starts. */
  awaitHead(ex: Exchange, now: number): void {
    if (ex.headerDeadline === 0 && !ex.headersSent) ex.headerDeadline = now + this.headerTimeoutMs;
  }

  /** @internal The exchange is over, successfully or not. */
  settle(ex: Exchange): void {
    ex.done = true;
    ex.headerDeadline = 0;
    if (--this.active === 0 && this.onDrained !== null) {
      this.onDrained();
      this.onDrained = null;
    }
  }

  /** @internal A response has been read in full: pool the socket if it can carry another. */
  release(conn: Conn, ex: Exchange): void {
    // A request body still being sent leaves the connection mid-message.
    if (!conn.keepAlive || !ex.reqDone || this.closed || this.idle.length >= MAX_IDLE) {
      conn.socket.destroy();
      return;
    }
    conn.reused = true;
    if (ex.resPaused) conn.socket.resume();
    conn.expiresAt = performance.now() + conn.idleMs;
    this.idle.push(conn);
  }

  /** @internal The backend socket closed: drop it from the pool, or fail (or retry) its exchange. */
  connClosed(conn: Conn): void {
    this.conns.delete(conn);
    if (this.conns.size === 0 && this.ticker !== null) {
      clearInterval(this.ticker);
      this.ticker = null;
    }
    const ex = conn.ex;
    if (ex === null) {
      const i = this.idle.lastIndexOf(conn);
      if (i !== -1) this.idle.splice(i, 1);
      return;
    }
    conn.ex = null;
    ex.conn = null;
    ex.headerDeadline = 0;
    const err = conn.err ?? new ProxyError('backend closed the connection', 'ECONNRESET');
    const kind = conn.timedOut ? 'timeout' : (err as NodeJS.ErrnoException).code === 'ECONNREFUSED' ? 'refused' : 'error';
    // A reused socket that died before answering was most likely closed by
    // the backend while idle; if nothing unrepeatable was sent, replay the
    // request once on a new connection.
    if (kind === 'error' && conn.reused && !conn.gotBytes && !ex.bodyStarted && !ex.retried) {
      ex.retried = true;
      this.dispatch(ex, true);
      return;
    }
    this.fail(ex, kind, err);
  }

  /** @internal The client's connection closed before the exchange finished. */
  clientClosed(ex: Exchange): void {
    if (ex.done) return;
    this.settle(ex);
    const conn = ex.conn;
    if (conn !== null) {
      conn.ex = null;
      ex.conn = null;
      conn.socket.destroy();
    }
    // A client giving up while waiting is not a backend failure; a body cut
    // short in either direction is.
    if (ex.headersSent || !ex.reqDone) {
      this.observer?.failure(this.id, 'aborted', new ProxyError('client closed the connection', 'ECONNRESET'), ex.requestId);
    }
  }

  private fail(ex: Exchange, kind: string, err: Error): void {
    if (ex.done) return;
    this.settle(ex);
    const conn = ex.conn;
    if (conn !== null) {
      conn.ex = null;
      ex.conn = null;
      conn.socket.destroy();
    }
    ex.resumeRequest();
    const res = ex.res;
    if (ex.headersSent) {
      this.observer?.failure(this.id, 'aborted', err, ex.requestId);
      // Destroying (not ending) the response is what tells the client the
      // body is incomplete.
      res.destroy();
      return;
    }
    const status = kind === 'timeout' ? 504 : 502;
    this.observer?.failure(this.id, kind, err, ex.requestId);
    this.observer?.response(this.id, ex.req.method ?? '', status, (performance.now() - ex.start) / 1000);
    if (res.destroyed) return;
    res.writeHead(status, STATUS_CODES[status], [REQUEST_ID_HEADER, ex.requestId]);
    res.end();
  }

  private dispatch(ex: Exchange, fresh: boolean): void {
    const conn = (fresh ? null : this.takeIdle(ex.start)) ?? this.connect();
    conn.start(ex);
  }

  private takeIdle(now: number): Conn | null {
    const idle = this.idle;
    while (idle.length > 0) {
      const conn = idle.pop()!;
      if (conn.expiresAt > now && !conn.socket.destroyed) return conn;
      conn.socket.destroy();
    }
    return null;
  }

  /** @internal */
  openSocket(onread: net.OnReadOpts): net.Socket {
    let socket: net.Socket;
    if (this.tlsOptions !== null) {
      // tls.connect documents and honours onread; @types/node leaves it out.
      const options: tls.ConnectionOptions & { onread: net.OnReadOpts } = { ...this.tlsOptions, onread };
      socket = tls.connect(options);
    } else {
      socket = net.connect({ host: this.host, port: this.port, onread });
    }
    socket.setNoDelay(true);
    socket.setKeepAlive(true, TCP_KEEPALIVE_MS);
    return socket;
  }

  private connect(): Conn {
    const conn = new Conn(this);
    this.armConnectTimer(conn);
    conn.socket.once(this.tlsOptions !== null ? 'secureConnect' : 'connect', conn.onConnect);
    this.conns.add(conn);
    this.ticker ??= setInterval(() => this.tick(), this.tickMs).unref();
    return conn;
  }

  /** @internal Starts (or restarts) the connect timeout. */
  armConnectTimer(conn: Conn): void {
    conn.connectDue = performance.now() + this.connectTimeoutMs;
    conn.connectTimer = setTimeout(onConnectTimeout, this.connectTimeoutMs, conn);
  }

  /**
   * Closes idle sockets past their keep-alive, and times out exchanges whose
   * response head is overdue. Those are looked at again from a setImmediate
   * before they fail: timers run before the I/O poll, so after the event loop
   * was held up, a head that arrived meanwhile has not been read yet.
   */
  private tick(): void {
    const now = performance.now();
    let overdue = false;
    for (const conn of this.conns) {
      const ex = conn.ex;
      if (ex === null) {
        if (conn.expiresAt !== 0 && conn.expiresAt <= now) conn.socket.destroy();
      } else if (ex.headerDeadline !== 0 && ex.headerDeadline <= now) {
        overdue = true;
      }
    }
    if (overdue) this.overdueCheck ??= setImmediate(() => this.timeOutOverdue());
  }

  private timeOutOverdue(): void {
    this.overdueCheck = null;
    const now = performance.now();
    for (const conn of this.conns) {
      const ex = conn.ex;
      if (ex !== null && ex.headerDeadline !== 0 && ex.headerDeadline <= now) {
        ex.headerDeadline = 0;
        conn.timedOut = true;
        conn.socket.destroy(new ProxyError('backend response header timeout', 'ETIMEDOUT'));
      }
    }
  }

  /** Builds the backend request head as one string, so it goes out in one write. */
  private buildHead(ex: Exchange): void {
    const req = ex.req;
    let fields = this.requestFields(req.rawHeaders, null);
    if (scan.connection !== undefined) {
      const named = connectionTokens(scan.connection).filter((t) => t !== 'close' && t !== 'keep-alive');
      if (named.length > 0) fields = this.requestFields(req.rawHeaders, named);
    }
    const { xff, via, contentLength, chunked } = scan;
    let head = req.method + ' ' + this.target(req.url ?? '/') + ' HTTP/1.1\r\nHost: ' + this.hostHeader + '\r\n' + fields;
    const client = clientAddress(req);
    if (client !== undefined) head += 'X-Forwarded-For: ' + (xff === undefined ? client : xff + ', ' + client) + '\r\n';
    else if (xff !== undefined) head += 'X-Forwarded-For: ' + xff + '\r\n';
    head += 'Via: ' + (via === undefined ? '' : via + ', ') + req.httpVersion + ' router\r\n';
    if (isSafeValue(ex.requestId)) head += 'portico-request-id: ' + ex.requestId + '\r\n';
    // Node has already decoded the client's framing; the backend gets its own.
    if (chunked) {
      head += 'Transfer-Encoding: chunked\r\n';
      ex.bodyKind = CHUNKED_BODY;
    } else if (contentLength !== undefined) {
      head += 'Content-Length: ' + contentLength + '\r\n';
      ex.bodyKind = contentLength === '0' ? NO_BODY : LENGTH_BODY;
    }
    ex.head = head + '\r\n';
  }

  /**
   * The end-to-end request fields as `Name: value\r\n` lines, with the ones
   * the proxy rewrites lifted into `scan`. `named` lists extra hop-by-hop
   * fields from Connection, which needs a second pass as it may come last.
   */
  private requestFields(raw: string[], named: string[] | null): string {
    scan.xff = undefined;
    scan.via = undefined;
    scan.connection = undefined;
    scan.contentLength = undefined;
    scan.chunked = false;
    let out = '';
    for (let i = 0; i < raw.length; i += 2) {
      const name = raw[i]!;
      const value = raw[i + 1]!;
      switch (name.length) {
        case 2:
          if (name.toLowerCase() === 'te') continue;
          break;
        case 3:
          if (name.toLowerCase() === 'via') {
            scan.via = scan.via === undefined ? value : scan.via + ', ' + value;
            continue;
          }
          break;
        case 4:
          if (name.toLowerCase() === 'host') continue;
          break;
        case 6:
          // Node has already answered any 100-continue itself.
          if (name.toLowerCase() === 'expect') continue;
          break;
        case 7: {
          const lower = name.toLowerCase();
          if (lower === 'trailer' || lower === 'upgrade') continue;
          break;
        }
        case 10: {
          const lower = name.toLowerCase();
          if (lower === 'connection') {
            scan.connection = scan.connection === undefined ? value : scan.connection + ',' + value;
            continue;
          }
          if (lower === 'keep-alive') continue;
          break;
        }
        case 14:
          if (name.toLowerCase() === 'content-length') {
            scan.contentLength = value;
            continue;
          }
          break;
        case 15:
          if (name.toLowerCase() === 'x-forwarded-for') {
            scan.xff = scan.xff === undefined ? value : scan.xff + ', ' + value;
            continue;
          }
          break;
        case 16:
          if (name.toLowerCase() === 'proxy-connection') continue;
          break;
        case 17:
          if (name.toLowerCase() === 'transfer-encoding') {
            scan.chunked = true;
            continue;
          }
          break;
        case 18: {
          const lower = name.toLowerCase();
          if (lower === 'proxy-authenticate' || lower === 'portico-request-id') continue;
          break;
        }
        case 19:
          if (name.toLowerCase() === 'proxy-authorization') continue;
          break;
      }
      if (named !== null && named.includes(name.toLowerCase())) continue;
      out += name + ': ' + value + '\r\n';
    }
    return out;
  }

  /** The request target for the backend: its base path joined to the raw request path, queries joined with '&'. */
  private target(url: string): string {
    const raw = url.charCodeAt(0) === 47 ? url : originForm(url);
    if (this.basePath === '' && this.baseQuery === '') return raw;
    const q = raw.indexOf('?');
    const path = this.basePath + (q === -1 ? raw : raw.slice(0, q));
    const query = q === -1 ? '' : raw.slice(q + 1);
    if (this.baseQuery === '') return query === '' ? path : path + '?' + query;
    return path + '?' + this.baseQuery + (query === '' ? '' : '&' + query);
  }
}

/** The proxy's upstreams by backend id, kept across route reloads. */
export class UpstreamRegistry {
  private readonly upstreams = new Map<string, Upstream>();

  constructor(private readonly opts: ProxyOptions) {}

  /** The upstream for this backend id, reused while its URL is unchanged (so its pool survives reloads); a changed URL replaces it. */
  get(id: string, url: string): Upstream {
    const current = this.upstreams.get(id);
    if (current !== undefined && current.url === url) return current;
    const next = new Upstream(id, url, this.opts);
    this.upstreams.set(id, next);
    // Requests already routed to the old URL finish on it.
    if (current !== undefined) void current.close();
    return next;
  }

  /** Closes upstreams whose ids are not in `ids` (called after a reload). */
  async retain(ids: Set<string>): Promise<void> {
    const closing: Promise<void>[] = [];
    for (const [id, upstream] of this.upstreams) {
      if (ids.has(id)) continue;
      this.upstreams.delete(id);
      closing.push(upstream.close());
    }
    await Promise.all(closing);
  }

  closeAll(): Promise<void> {
    return this.retain(new Set());
  }
}

/** Scratch results of `requestFields`; one shared object because the scan is synchronous and runs per request. */
const scan = {
  xff: undefined as string | undefined,
  via: undefined as string | undefined,
  connection: undefined as string | undefined,
  contentLength: undefined as string | undefined,
  chunked: false,
};

/**
 * The connect timer has run out. Timers run before the I/O poll, so a connect
 * that completed while the event loop was held up has not been seen yet:
 * decide from a setImmediate, which runs after the poll.
 */
function onConnectTimeout(conn: Conn): void {
  conn.connectTimer = null;
  if (conn.connected || conn.socket.destroyed) return;
  setImmediate(connectTimedOut, conn);
}

function connectTimedOut(conn: Conn): void {
  if (conn.connected || conn.socket.destroyed) return;
  // Found late, the connect has not had its time with a running event loop
  // (a TLS handshake needs several turns of it): one more period, once.
  if (!conn.connectExtended && performance.now() - conn.connectDue > LATE_TIMER_MS) {
    conn.connectExtended = true;
    conn.upstream.armConnectTimer(conn);
    return;
  }
  conn.timedOut = true;
  conn.socket.destroy(new ProxyError('backend connect timeout', 'ETIMEDOUT'));
}

function clientAddress(req: IncomingMessage): string | undefined {
  const addr = req.socket.remoteAddress;
  return addr !== undefined && addr.startsWith('::ffff:') ? addr.slice(7) : addr;
}

/** Absolute-form targets (`GET http://host/path`) become origin-form; anything else (`*`) is left alone. */
function originForm(url: string): string {
  const scheme = url.indexOf('://');
  if (scheme === -1) return url;
  let i = scheme + 3;
  while (i < url.length && url.charCodeAt(i) !== 47 && url.charCodeAt(i) !== 63) i++;
  return url.charCodeAt(i) === 47 ? url.slice(i) : '/' + url.slice(i);
}

/** The request id may come from a client; a CR or LF in it would let them write their own headers to the backend. */
function isSafeValue(value: string): boolean {
  if (value.length === 0) return false;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if ((c < 32 && c !== 9) || c === 127) return false;
  }
  return true;
}

function connectionTokens(value: string): string[] {
  const tokens: string[] = [];
  for (const part of value.split(',')) {
    const token = part.trim().toLowerCase();
    if (token !== '') tokens.push(token);
  }
  return tokens;
}

function withoutFields(headers: string[], named: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < headers.length; i += 2) {
    if (!named.includes(headers[i]!.toLowerCase())) out.push(headers[i]!, headers[i + 1]!);
  }
  return out;
}

function lastTokenIsChunked(te: string): boolean {
  const comma = te.lastIndexOf(',');
  return te.slice(comma + 1).trim().toLowerCase() === 'chunked';
}

/** `timeout=N` from a Keep-Alive field, as how long we may keep the socket idle. */
function keepAliveHint(value: string): number {
  const at = value.toLowerCase().indexOf('timeout=');
  if (at === -1) return DEFAULT_IDLE_MS;
  let seconds = 0;
  let i = at + 8;
  for (; i < value.length; i++) {
    const d = value.charCodeAt(i) - 48;
    if (d < 0 || d > 9) break;
    seconds = seconds * 10 + d;
  }
  if (i === at + 8) return DEFAULT_IDLE_MS;
  return Math.min(DEFAULT_IDLE_MS, Math.max(0, seconds * 1000 - IDLE_HINT_MARGIN_MS));
}

function parseLength(value: string): number {
  if (value.length === 0 || value.length > 15) return -1;
  let n = 0;
  for (let i = 0; i < value.length; i++) {
    const d = value.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
}

function trimOws(s: string, start: number, end: number): string {
  while (start < end && (s.charCodeAt(start) === 32 || s.charCodeAt(start) === 9)) start++;
  while (end > start && (s.charCodeAt(end - 1) === 32 || s.charCodeAt(end - 1) === 9)) end--;
  return s.slice(start, end);
}

function digit(s: string, i: number): number {
  const d = s.charCodeAt(i) - 48;
  if (d < 0 || d > 9) throw new ProxyError('malformed status code from backend');
  return d;
}

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  const lower = c | 0x20;
  if (lower >= 97 && lower <= 102) return lower - 87;
  return -1;
}

function expectByte(actual: number, expected: number): void {
  if (actual !== expected) throw new ProxyError('malformed chunked framing from backend');
}
