import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Connection } from 'mongoose';
import type { Logger } from 'pino';
import { createApp } from './app';
import type { AppServices } from './app';
import { ConfigError, EMBEDDED_DATABASE_NAME, EMBEDDED_MONGO_DIR, EMBEDDED_MONGO_FILE, loadConfig } from './config';
import type { Config } from './config';
import { connectDatabase } from './db/connection';
import { createBornExpressObjects } from './http/born-express';
import { createLogger, prettyDestination } from './http/logging';
import { createStartingApp } from './http/starting-app';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

interface EmbeddedEngine {
  uri: string;
  stop(): Promise<void>;
}

const EMBEDDED_USER = 'gatehouse';

/**
 * The embedded engine is reachable only by this process and the project's tools (S39): it requires
 * SCRAM credentials made up at every start, handed to the driver in memory and to `npm run user:role`
 * through a file only this OS user can read; the data directory is 0700 and its files 0600 (the
 * engine does the same inside `db/`).
 */
async function startEmbeddedEngine(config: Config, logger: Logger): Promise<EmbeddedEngine> {
  const { start } = await import('@gatehouse/embedded-mongo');
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  chmodSync(config.dataDir, 0o700);
  const dbPath = join(config.dataDir, EMBEDDED_MONGO_DIR);
  const password = randomBytes(32).toString('base64url');
  const engine = await start({ dbPath, users: [{ user: EMBEDDED_USER, password }] });
  const address = new URL(engine.uri);
  address.username = EMBEDDED_USER;
  address.password = password;
  // Name the database, as a MONGODB_URI would, rather than fall back to the driver's default "test".
  address.pathname = `/${EMBEDDED_DATABASE_NAME}`;
  address.search = 'authSource=admin';
  const uri = address.toString();
  const file = join(config.dataDir, EMBEDDED_MONGO_FILE);
  // Created anew, never rewritten in place: an older file may have been readable by others.
  rmSync(file, { force: true });
  writeFileSync(file, `${JSON.stringify({ uri, pid: process.pid })}\n`, { mode: 0o600, flag: 'wx' });
  logger.info(`embedded MongoDB-compatible engine at ${engine.uri} (credentials in ${file}), data in ${dbPath}; set MONGODB_URI for a real MongoDB`);
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

const isIpv6Unavailable = (error: unknown): boolean => {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'EAFNOSUPPORT' || code === 'EADDRNOTAVAIL';
};

/**
 * Listens on every configured address with one port (the first listener's, when PORT is 0). An IPv6
 * address on a machine without IPv6 is skipped (`::` becomes `0.0.0.0`); any other failure stops the start.
 */
async function listenOnAll(servers: Server[], config: Config, logger: Logger): Promise<number> {
  let port = config.port;
  let listening = 0;
  for (const [index, host] of config.hosts.entries()) {
    const server = servers[index] as Server;
    try {
      await listen(server, port, host);
    } catch (error) {
      if (!isIpv6Unavailable(error) || !host.includes(':')) throw error;
      if (host === '::') {
        logger.warn('IPv6 is unavailable; listening on 0.0.0.0 only');
        await listen(server, port, '0.0.0.0');
      } else {
        logger.warn(`IPv6 is unavailable; not listening on ${host}`);
        continue;
      }
    }
    listening += 1;
    const address = server.address();
    if (typeof address === 'object' && address) port = address.port;
  }
  if (listening === 0) throw new Error(`could not listen on ${config.hosts.join(', ')}`);
  return port;
}

/** Production runs on a real MongoDB; the embedded engine there only when explicitly asked for. */
function refuseEmbeddedInProduction(config: Config): void {
  if (!config.isProduction || config.mongodbUri || config.embeddedMongoAllowed) return;
  process.stderr.write(
    'MONGODB_URI is required in production: the embedded engine is a development and test engine.\n' +
      'Set MONGODB_URI to your MongoDB, or EMBEDDED_MONGO=allow to run on the embedded engine anyway.\n',
  );
  process.exit(1);
}

/** Says once, at start, where mail goes; without it, which features are off (S33–S35 need mail). */
function announceMail(config: Config, services: AppServices, logger: Logger): void {
  const { mailer } = services.mail;
  if (mailer.outbox) logger.info(`mail: every message is kept in the dev outbox, ${config.mail.publicUrl}/dev/outbox (not in production)`);
  if (config.mail.smtpUrl) {
    void mailer.verify().then((isUp) => {
      if (isUp) logger.info('mail: the SMTP server answers');
    });
  } else if (!mailer.isAvailable) {
    logger.warn('mail: SMTP_URL is not set, so forgot password, address verification, change of address and new-device alerts are off');
  }
}

/** Says once which way sessions are served (SESSION_CACHE=auto decides from the database) and why. */
function announceSessionCache(services: AppServices, logger: Logger): void {
  void services.registry.sessionCacheDecision().then(({ serving, reason }) => logger.info({ sessionCache: serving }, `sessions: ${serving} (${reason})`));
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
  refuseEmbeddedInProduction(config);
  const logger = createLogger({ level: config.logLevel, ...(config.logFormat === 'pretty' ? { destination: await prettyDestination() } : {}) });

  let stopping = false;
  let engine: EmbeddedEngine | undefined;
  let connection: Connection | null = null;
  let services: AppServices | undefined = undefined;
  let handler: Handler = createStartingApp({ config, logger });
  const inFlight = new Set<ServerResponse>();
  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    // Once shutting down, no response invites another request on its connection: a request sent on a
    // keep-alive socket just as the server closes it would fail with a reset (R8).
    if (stopping) res.setHeader('Connection', 'close');
    inFlight.add(res);
    res.once('close', () => inFlight.delete(res));
    handler(req, res);
  };
  // Requests and responses born with the app's prototypes once it is built (http/born-express.ts).
  const born = createBornExpressObjects();
  // One listener per address (127.0.0.1 and ::1 by default, so that `localhost` works either way).
  const servers = config.hosts.map(() => {
    const server = createServer(born.serverOptions, onRequest);
    server.keepAliveTimeout = 5000;
    return server;
  });

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
    await Promise.all(
      servers.map(
        (server) =>
          new Promise<void>((resolve) => {
            if (!server.listening) return resolve();
            server.close(() => resolve());
            // Keep-alive connections become idle as their last response ends: close each as soon as it does.
            const sweep = setInterval(() => server.closeIdleConnections(), 50);
            server.once('close', () => clearInterval(sweep));
            server.closeIdleConnections();
          }),
      ),
    );
    // Mail and the records that go with it were promised to requests already answered.
    await services?.jobs.settled();
    services?.mail.mailer.close();
    await services?.close();
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

  const announceListening = async () => {
    const port = await listenOnAll(servers, config, logger);
    logger.info({ port, hosts: config.hosts, url: `http://localhost:${port}` }, `listening on http://localhost:${port} (${config.hosts.join(', ')})`);
  };
  // An external database may be down for a while: listen at once and answer 503 until it is up (R1).
  // The embedded engine starts with the process, so the port opens only once the app can serve: nobody
  // who follows the printed URL, or a probe waiting for the port, meets a 503 from a healthy start.
  const isEmbedded = config.mongodbUri === undefined;
  if (!isEmbedded) await announceListening();

  const uri = config.mongodbUri ?? (engine = await startEmbeddedEngine(config, logger)).uri;
  connection = await connectUntilUp(uri, config, logger, () => stopping);
  if (!connection) return;
  const built = createApp({ config, connection, logger });
  services = built.services;
  await ensureIndexesUntilDone(services, logger, () => stopping);
  born.adopt(built.app);
  handler = built.app;
  if (isEmbedded) await announceListening();
  announceMail(config, services, logger);
  // After the port opened: reading the location databases (~0.5 s, ~50 MB) never delays serving.
  void services.places.warmUp();
  announceSessionCache(services, logger);
  logger.info('ready');
}

main().catch((error: unknown) => {
  process.stderr.write(`Gatehouse API failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
