import { randomUUID } from 'node:crypto';
import { IncomingMessage, ServerResponse } from 'node:http';
import express from 'express';
import { pino } from 'pino';
import type { DestinationStream, Level, Logger } from 'pino';
import type { RequestHandler } from 'express';

declare module 'http' {
  interface IncomingMessage {
    /** Logs with this request's id, method and path. */
    log: Logger;
    /**
     * What the request logger keeps for this request (its summary carries the id sent as
     * `X-Request-Id`). The only property it adds to a request: every property added to a request
     * object in flight was measured to cost microseconds, the first one excepted.
     */
    requestLog?: { logger: Logger; summary: RequestSummary };
  }
  interface ServerResponse {
    /** An unexpected error as the error middleware describes it for the log; written with the request's line. */
    err?: unknown;
  }
}

/**
 * Secrets that must never reach a log line (S30), by exact path. Every line is built from named fields
 * (the request line below takes five from the request; auth events log ids), so these guard against a
 * mistake rather than filter each object: wildcard paths (`*.password`) made every log call walk every
 * key of what it logged. What sits under `req` and `res` is made safe by the serializers below instead.
 */
export const REDACTED_PATHS = [
  'password',
  'currentPassword',
  'newPassword',
  'passwordHash',
  'token',
  'cookie',
  'sid',
  'sessionID',
  'body',
  'headers',
  'err.body',
];

/**
 * `req` and `res` in a line are summaries: the request line and `req.log` put them there. A raw request
 * or response logged by mistake is turned into one too, so neither its headers nor its raw headers
 * (cookies) can reach a line (S30). Redacting `req.headers` by path missed `req.rawHeaders`, and it
 * cloned the request line's summary on every line to look for headers that were never there.
 */
const LINE_SERIALIZERS = {
  req: (value: unknown) => (value instanceof IncomingMessage ? requestSummaryOf(value) : value),
  res: (value: unknown) => (value instanceof ServerResponse ? { statusCode: value.statusCode } : value),
};

/** Lines are held until this many bytes are pending, or for at most BATCH_MS. */
const BATCH_BYTES = 8192;
const BATCH_MS = 10;
/** Destinations with lines still held, written out when the process exits (however it exits). */
const held = new Set<{ flushSync(): void }>();
process.once('exit', () => {
  for (const destination of held) {
    try {
      destination.flushSync();
    } catch {
      // Nothing left to tell at exit.
    }
  }
});

/**
 * Lines held in an array and joined when written. sonic-boom can batch by itself (`minLength`), but it
 * appends each line to one pending string and measures that string again, which copies everything
 * pending at every line: about 4 KB of garbage per request at 8 KiB batches. It still does the
 * writing (partial writes, a full pipe).
 */
class LineBatch implements DestinationStream {
  private lines: string[] = [];
  private bytes = 0;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly sink: DestinationStream) {}

  write(line: string): void {
    this.lines.push(line);
    this.bytes += line.length;
    if (this.bytes >= BATCH_BYTES) this.flushSync();
    else this.timer ??= setTimeout(() => this.flushSync(), BATCH_MS).unref();
  }

  flushSync(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (this.lines.length === 0) return;
    const chunk = this.lines.join('');
    this.lines = [];
    this.bytes = 0;
    this.sink.write(chunk);
  }
}

/**
 * Where lines go unless told otherwise: standard output (or a file), in batches. One write per line
 * was the request log's cost: an asynchronous write goes through the libuv thread pool (a hand-off to
 * another thread and back for every line while requests come one at a time), a synchronous one is a
 * system call inside every request. Lines are held until 8 KiB are pending or 10 ms have passed, then
 * written with one synchronous call, so a line reaches its destination within 10 ms and a busy server
 * writes dozens of lines per call; what is held is written when the process exits.
 */
export function batchedDestination(dest: number | string = 1): DestinationStream {
  const destination = new LineBatch(pino.destination({ dest, sync: true }));
  held.add(destination);
  return destination;
}

export function createLogger({ level, destination = batchedDestination() }: { level: string; destination?: DestinationStream }): Logger {
  return pino({ level, redact: { paths: REDACTED_PATHS, censor: '[redacted]' }, serializers: LINE_SERIALIZERS }, destination);
}

/**
 * Human-readable lines on standard output (LOG_FORMAT=pretty). pino-pretty is a development dependency,
 * absent from the production image, so it is loaded only when asked for; redaction happens before it.
 */
export async function prettyDestination(): Promise<DestinationStream> {
  const loaded = await import('pino-pretty').catch(() => null);
  if (!loaded) throw new Error('LOG_FORMAT=pretty needs the pino-pretty package (a development dependency): install it, or set LOG_FORMAT=json');
  return loaded.default({ colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' });
}

/** Query strings can carry anything a client put there (even a session id, S2): log the path only. */
function pathOnly(url: string): string {
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}

/** What a request line says about the request: never its headers (cookies), query or body. */
export interface RequestSummary {
  id: string;
  method: string | undefined;
  path: string;
  remoteAddress: string | undefined;
  userAgent: string | undefined;
}

/** The request's summary: its id (when the request logger gave it one), method, path, peer and user agent. */
function requestSummaryOf(req: IncomingMessage, id = req.requestLog?.summary.id ?? ''): RequestSummary {
  return {
    id,
    method: req.method,
    path: pathOnly(req.url ?? ''),
    remoteAddress: req.socket.remoteAddress,
    userAgent: req.headers['user-agent'],
  };
}

function levelOf(statusCode: number, isError: boolean): Level {
  if (isError || statusCode >= 500) return 'error';
  if (statusCode >= 400) return 'warn';
  return 'info';
}

/**
 * `req.log`, made when a handler first logs (an auth event): most requests never do, and a child logger
 * per request was about a sixth of what the request log allocated. Defined once on Express's request prototype (which
 * Express documents for extending) rather than on each request, so every request keeps one hidden class.
 * Assigning `req.log` (a test or tool without the request logger) stores a plain property.
 */
Object.defineProperty(express.request, 'log', {
  configurable: true,
  get(this: express.Request): Logger {
    const source = this.requestLog;
    if (!source) throw new Error('req.log needs the request logger (createRequestLogger) ahead of this handler');
    const child = source.logger.child({ req: source.summary });
    Object.defineProperty(this, 'log', { value: child, writable: true, configurable: true });
    return child;
  },
  set(this: express.Request, value: Logger) {
    Object.defineProperty(this, 'log', { value, writable: true, configurable: true });
  },
});

/**
 * One JSON line per request once its response is done (`request completed`, `request errored` or
 * `request aborted`), with the request's id, method, path, status, latency and the signed-in user.
 * The request's summary is built once, for this line and for `req.log` (auth events).
 */
export function createRequestLogger(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const startedAt = Date.now();
    const id = randomUUID();
    res.setHeader('X-Request-Id', id);
    const summary = requestSummaryOf(req, id);
    req.requestLog = { logger, summary };
    // One listener: a response emits 'close' last whether it finished or its client went away.
    res.on('close', () => {
      const { statusCode, err } = res;
      const level = levelOf(statusCode, err !== undefined);
      const userId = req.session?.userId;
      const response = { statusCode };
      const responseTime = Date.now() - startedAt;
      if (level === 'error') {
        const error = err ?? { type: 'Error', message: `failed with status code ${statusCode}` };
        logger.error(
          userId ? { req: summary, userId, res: response, err: error, responseTime } : { req: summary, res: response, err: error, responseTime },
          'request errored',
        );
        return;
      }
      const message = !req.readableAborted && res.writableEnded ? 'request completed' : 'request aborted';
      logger[level](userId ? { req: summary, userId, res: response, responseTime } : { req: summary, res: response, responseTime }, message);
    });
    next();
  };
}
