import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Connection } from 'mongoose';
import type { Logger } from 'pino';
import { createApp } from './app';
import type { AppServices } from './app';
import { ConfigError, loadConfig } from './config';
import type { Config } from './config';
import { connectDatabase } from './db/connection';
import { createLogger } from './http/logging';
import { createStartingApp } from './http/starting-app';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

interface EmbeddedEngine {
  uri: string;
  stop(): Promise<void>;
}

export const EMBEDDED_MONGO_FILE = 'embedded-mongo.json';
const EMBEDDED_DATABASE_NAME = 'gatehouse';

async function startEmbeddedEngine(config: Config, logger: Logger): Promise<EmbeddedEngine> {
  const { start } = await import('@gatehouse/embedded-mongo');
  const dbPath = join(config.dataDir, 'db');
  mkdirSync(dbPath, { recursive: true });
  const engine = await start({ dbPath });
  // Name the database, as a MONGODB_URI would, rather than fall back to the driver's default "test".
  const uri = `${engine.uri.replace(/\/?$/, '/')}${EMBEDDED_DATABASE_NAME}`;
  writeFileSync(join(config.dataDir, EMBEDDED_MONGO_FILE), `${JSON.stringify({ uri, pid: process.pid })}\n`);
  logger.info(`embedded MongoDB-compatible engine at ${engine.uri}, data in ${dbPath}; set MONGODB_URI for a real MongoDB`);
  return { uri, stop: () => engine.stop() };
}

/** Keeps trying until the database answers: the server is already up and answering 503 meanwhile. */
async function connectUntilUp(uri: string, config: Config, logger: Logger, isStopping: () => boolean): Promise<Connection | null> {
  for (let attempt = 1; !isStopping(); attempt += 1) {
    try {
      return await connectDatabase({ uri, timeoutMs: config.dbTimeoutMs });
    } catch (error) {
      logger.warn({ attempt, err: { type: (error as Error).name, message: (error as Error).message } }, 'database unreachable; retrying');
      await sleep(Math.min(5000, 500 * attempt));
    }
  }
  return null;
}

async function ensureIndexesUntilDone(services: AppServices, logger: Logger, isStopping: () => boolean): Promise<void> {
  for (let attempt = 1; !isStopping(); attempt += 1) {
    try {
      await services.ensureIndexes();
      return;
    } catch (error) {
      logger.warn({ attempt, err: { type: (error as Error).name, message: (error as Error).message } }, 'could not create indexes; retrying');
      await sleep(Math.min(5000, 500 * attempt));
    }
  }
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error) => {
      server.off('listening', onListening);
      reject(error);
    };
    const onListening = () => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, host);
  });
}

async function listenDualStack(server: Server, config: Config, logger: Logger): Promise<void> {
  try {
    await listen(server, config.port, config.host);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (config.host !== '::' || (code !== 'EAFNOSUPPORT' && code !== 'EADDRNOTAVAIL')) throw error;
    logger.warn('IPv6 is unavailable; listening on 0.0.0.0 only');
    await listen(server, config.port, '0.0.0.0');
  }
}

/** Part of the grace period spent answering 503 on /api/ready before the listener closes (R8). */
function readinessDrainMs(shutdownGraceMs: number): number {
  return Math.min(2000, Math.floor(shutdownGraceMs / 4));
}

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const logger = createLogger({ level: config.logLevel });

  let stopping = false;
  let engine: EmbeddedEngine | undefined;
  let connection: Connection | null = null;
  let services: AppServices | undefined = undefined;
  let handler: Handler = createStartingApp({ config, logger });
  const inFlight = new Set<ServerResponse>();
  const server = createServer((req, res) => {
    // Once shutting down, no response invites another request on its connection: a request sent on a
    // keep-alive socket just as the server closes it would fail with a reset (R8).
    if (stopping) res.setHeader('Connection', 'close');
    inFlight.add(res);
    res.once('close', () => inFlight.delete(res));
    handler(req, res);
  });
  server.keepAliveTimeout = 5000;

  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: readiness 503, draining requests');
    const forceExit = setTimeout(() => {
      logger.error('shutdown grace period elapsed; exiting with open work');
      process.exit(1);
    }, config.shutdownGraceMs);
    forceExit.unref();

    services?.readiness.markShuttingDown();
    for (const res of inFlight) if (!res.headersSent) res.setHeader('Connection', 'close');
    services?.live.closeAll();
    if (services && signal === 'SIGTERM') {
      // Orchestrators send SIGTERM: keep serving while whatever polls /api/ready sees the 503 and stops
      // routing here, so nothing is refused that was still on its way (Ctrl-C exits without the wait).
      await sleep(readinessDrainMs(config.shutdownGraceMs));
      services.live.closeAll();
    }
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      // Keep-alive connections become idle as their last response ends: close each as soon as it does.
      const sweep = setInterval(() => server.closeIdleConnections(), 50);
      server.once('close', () => clearInterval(sweep));
      server.closeIdleConnections();
    });
    await connection?.close();
    if (engine) {
      await engine.stop();
      rmSync(join(config.dataDir, EMBEDDED_MONGO_FILE), { force: true });
    }
    logger.info('stopped');
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));

  await listenDualStack(server, config, logger);
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  logger.info({ port, url: `http://localhost:${port}` }, `listening on http://localhost:${port}`);

  const uri = config.mongodbUri ?? (engine = await startEmbeddedEngine(config, logger)).uri;
  connection = await connectUntilUp(uri, config, logger, () => stopping);
  if (!connection) return;
  const built = createApp({ config, connection, logger });
  services = built.services;
  await ensureIndexesUntilDone(services, logger, () => stopping);
  handler = built.app;
  logger.info('ready');
}

main().catch((error: unknown) => {
  process.stderr.write(`Gatehouse API failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
