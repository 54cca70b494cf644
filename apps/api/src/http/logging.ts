import { randomUUID } from 'node:crypto';
import { pino } from 'pino';
import type { DestinationStream, Level, Logger } from 'pino';
import type { RequestHandler } from 'express';

declare module 'http' {
  interface IncomingMessage {
    /** This request's id, also sent as `X-Request-Id`. */
    id: string;
    /** Logs with this request's id, method and path. */
    log: Logger;
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
 * key of what it logged.
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
  'req.headers',
  'req.body',
  'res.headers',
  'err.body',
];

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
 * Where lines go unless told otherwise: standard output (or a file), in batches. One write per line
 * was the request log's cost: an asynchronous write goes through the libuv thread pool (a hand-off to
 * another thread and back for every line while requests come one at a time), a synchronous one is a
 * system call inside every request. Lines are held until 8 KiB are pending or 10 ms have passed, then
 * written with one synchronous call, so a line reaches its destination within 10 ms and a busy server
 * writes dozens of lines per call; what is held is written when the process exits.
 */
export function batchedDestination(dest: number | string = 1): DestinationStream {
  const destination = pino.destination({ dest, sync: true, minLength: BATCH_BYTES, periodicFlush: BATCH_MS });
  held.add(destination);
  return destination;
}

export function createLogger({ level, destination = batchedDestination() }: { level: string; destination?: DestinationStream }): Logger {
  return pino({ level, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } }, destination);
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
interface RequestSummary {
  id: string;
  method: string | undefined;
  path: string;
  remoteAddress: string | undefined;
  userAgent: string | undefined;
}

function levelOf(statusCode: number, isError: boolean): Level {
  if (isError || statusCode >= 500) return 'error';
  if (statusCode >= 400) return 'warn';
  return 'info';
}

/**
 * One JSON line per request once its response is done (`request completed`, `request errored` or
 * `request aborted`), with the request's id, method, path, status, latency and the signed-in user.
 * The request's summary is built once, for this line and for `req.log` (auth events).
 */
export function createRequestLogger(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const startedAt = Date.now();
    const id = randomUUID();
    req.id = id;
    res.setHeader('X-Request-Id', id);
    const summary: RequestSummary = {
      id,
      method: req.method,
      path: pathOnly(req.url),
      remoteAddress: req.socket.remoteAddress,
      userAgent: req.headers['user-agent'],
    };
    // A plain property (a child logger costs ~1 µs): a getter defined on each request would give every
    // request object its own hidden class, and every property access on requests anywhere in the stack
    // would go megamorphic.
    req.log = logger.child({ req: summary });

    let isLogged = false;
    const logLine = () => {
      if (isLogged) return;
      isLogged = true;
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
    };
    res.on('finish', logLine);
    res.on('close', logLine);
    next();
  };
}
