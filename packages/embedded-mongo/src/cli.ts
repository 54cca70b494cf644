#!/usr/bin/env node
/**
 * Foreground engine: `npm run mongo -- --port 27017 --dbpath .data/mongo [--user name:pw]`.
 * Prints one JSON line `{"uri": ..., "port": ..., "pid": ...}` on stdout once listening (log
 * lines go to stderr); stops cleanly on SIGINT/SIGTERM.
 *
 * Without `--user` anyone who can reach the port can read and change everything, so such an
 * engine only listens on loopback and says so loudly; `--host` beyond loopback needs `--user`.
 */
import { parseArgs } from 'node:util';
import { start } from './index';

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
}

const OPEN_WARNING = [
  '',
  '[embedded-mongo] WARNING: started without --user, so authentication is OFF.',
  '[embedded-mongo] Every local user and process on this machine can read and change every database',
  '[embedded-mongo] of this engine. Add --user name:password (and use it in MONGODB_URI) to close it.',
  '',
].join('\n');

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '27017' },
      dbpath: { type: 'string' },
      user: { type: 'string', multiple: true },
      host: { type: 'string', default: '127.0.0.1' },
      'ttl-interval-ms': { type: 'string' },
      'compact-threshold-bytes': { type: 'string' },
      maxConns: { type: 'string' },
      replSet: { type: 'string' },
      standalone: { type: 'boolean' },
      'change-history-size': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(
      'usage: mongo [--port 27017] [--dbpath DIR] [--user name:password ...] [--host 127.0.0.1] [--maxConns 1000] [--replSet rs0 | --standalone] [--change-history-size 10000]\n',
    );
    return;
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`invalid --port ${values.port}`);
  const open = (values.user ?? []).length === 0;
  if (open && !isLoopback(values.host)) {
    throw new Error(`--host ${values.host} without --user would open every database to the network; add --user name:password`);
  }
  const maxConns = values.maxConns === undefined ? undefined : Number(values.maxConns);
  if (values.standalone && values.replSet !== undefined) throw new Error('--standalone and --replSet exclude each other');
  const historySize = values['change-history-size'] === undefined ? undefined : Number(values['change-history-size']);
  const engine = await start({
    port,
    host: values.host,
    dbPath: values.dbpath,
    users: values.user,
    ttlMonitorIntervalMs: values['ttl-interval-ms'] ? Number(values['ttl-interval-ms']) : undefined,
    compactThresholdBytes: values['compact-threshold-bytes'] ? Number(values['compact-threshold-bytes']) : undefined,
    maxIncomingConnections: maxConns,
    replicaSet: values.standalone ? false : values.replSet,
    changeHistorySize: historySize,
  });
  if (open) process.stderr.write(`${OPEN_WARNING}\n`);
  process.stdout.write(JSON.stringify({ uri: engine.uri, port: engine.port, pid: process.pid }) + '\n');
  let stopping = false;
  const shutdown = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    console.error(`[embedded-mongo] ${signal} received, shutting down`);
    engine.stop().then(
      () => process.exit(0),
      (failure: unknown) => {
        console.error(`[embedded-mongo] error while stopping: ${(failure as Error).message}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch((failure: unknown) => {
  console.error(`[embedded-mongo] failed to start: ${(failure as Error).message}`);
  process.exit(1);
});
