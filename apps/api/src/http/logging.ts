import { randomUUID } from 'node:crypto';
import { pino } from 'pino';
import type { DestinationStream, Logger } from 'pino';
import { pinoHttp } from 'pino-http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestHandler } from 'express';

/** Secrets that must never reach a log line (S30), wherever they sit in a logged object. */
export const REDACTED_PATHS = [
  'req.headers.cookie',
  'req.headers.authorization',
  'res.headers["set-cookie"]',
  '*.password',
  '*.currentPassword',
  '*.newPassword',
  '*.passwordHash',
  '*.cookie',
  '*.sid',
  '*.sessionID',
];

export function createLogger({ level, destination }: { level: string; destination?: DestinationStream }): Logger {
  const options = { level, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } };
  return destination ? pino(options, destination) : pino(options);
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
function pathOnly(url: string | undefined): string {
  return (url ?? '').split('?')[0] ?? '';
}

type SessionCarrier = IncomingMessage & { session?: { userId?: string } };

export function createRequestLogger(logger: Logger): RequestHandler {
  return pinoHttp({
    logger,
    genReqId: (_req: IncomingMessage, res: ServerResponse) => {
      const id = randomUUID();
      res.setHeader('X-Request-Id', id);
      return id;
    },
    customProps: (req: IncomingMessage) => {
      const userId = (req as SessionCarrier).session?.userId;
      return userId ? { userId } : {};
    },
    customLogLevel: (_req: IncomingMessage, res: ServerResponse, error?: Error) => {
      if (error || res.statusCode >= 500) return 'error';
      if (res.statusCode >= 400) return 'warn';
      return 'info';
    },
    serializers: {
      req: (req: { id: string; method: string; url: string; remoteAddress?: string; headers: Record<string, unknown> }) => ({
        id: req.id,
        method: req.method,
        path: pathOnly(req.url),
        remoteAddress: req.remoteAddress,
        userAgent: req.headers['user-agent'],
      }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
    },
  }) as unknown as RequestHandler;
}
