import type { Router } from 'express';
import type { Connection } from 'mongoose';
import type { HealthResponse, ReadyResponse } from '@gatehouse/types/health';
import { isDatabaseUp } from '../db/connection';

export interface Readiness {
  /** Set first on shutdown, so load balancers stop sending traffic before the server stops accepting it. */
  markShuttingDown(): void;
  isShuttingDown(): boolean;
}

export function createReadiness(): Readiness {
  let shuttingDown = false;
  return {
    markShuttingDown: () => {
      shuttingDown = true;
    },
    isShuttingDown: () => shuttingDown,
  };
}

/**
 * The probes, added as routes of the router given (the API's): every other request passes them by with a
 * path test, where a router of their own was entered (and left) by every API request.
 */
export function addHealthRoutes(router: Router, { connection, readiness }: { connection: Connection; readiness: Readiness }): void {
  /** Liveness: the process answers; says nothing about the database on purpose. */
  router.get('/health', (_req, res) => {
    const body: HealthResponse = { status: 'ok' };
    res.json(body);
  });

  router.get('/ready', async (_req, res) => {
    const databaseUp = await isDatabaseUp(connection);
    const ready = databaseUp && !readiness.isShuttingDown();
    const body: ReadyResponse = { status: ready ? 'ready' : 'unavailable', database: databaseUp ? 'up' : 'down' };
    if (!ready) res.set('Retry-After', '5');
    res.status(ready ? 200 : 503).json(body);
  });
}
