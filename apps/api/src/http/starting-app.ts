import express from 'express';
import type { Express } from 'express';
import type { Logger } from 'pino';
import type { Config } from '../config';
import type { ReadyResponse } from '@gatehouse/types/health';
import { serviceUnavailable } from './errors';
import { errorMiddleware } from './error-middleware';
import { createRequestLogger } from './logging';
import { createApiSecurityHeaders, createSecurityHeaders } from './security-headers';

/**
 * Answers while the database has not been reached yet (R1): the process is alive, not ready, and every
 * API call gets a quick 503 + Retry-After instead of hanging. server.ts swaps in the real app once connected.
 */
export function createStartingApp({ config, logger }: { config: Config; logger: Logger }): Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(createRequestLogger(logger));
  app.use('/api', createApiSecurityHeaders(config));
  app.get('/api/health', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/api/ready', (_req, res) => {
    const body: ReadyResponse = { status: 'unavailable', database: 'down' };
    res.status(503).set('Retry-After', '5').json(body);
  });
  app.use('/api', (_req, _res, next) => next(serviceUnavailable()));
  app.use(createSecurityHeaders(config));
  app.use((_req, _res, next) => next(serviceUnavailable()));
  app.use(errorMiddleware);
  return app;
}
