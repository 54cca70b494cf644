/**
 * Foreground engine: `npm run mongo -- --port 27017 --dbpath .data/mongo [--user name:pw]`.
 * Prints one JSON line `{"uri": ..., "port": ..., "pid": ...}` on stdout once listening (log
 * lines go to stderr); stops cleanly on SIGINT/SIGTERM.
 */
import { parseArgs } from 'node:util';
import { start } from './index';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '27017' },
      dbpath: { type: 'string' },
      user: { type: 'string', multiple: true },
      host: { type: 'string', default: '127.0.0.1' },
      'ttl-interval-ms': { type: 'string' },
      'compact-threshold-bytes': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write('usage: mongo [--port 27017] [--dbpath DIR] [--user name:password ...] [--host 127.0.0.1]\n');
    return;
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`invalid --port ${values.port}`);
  const engine = await start({
    port,
    host: values.host,
    dbPath: values.dbpath,
    users: values.user,
    ttlMonitorIntervalMs: values['ttl-interval-ms'] ? Number(values['ttl-interval-ms']) : undefined,
    compactThresholdBytes: values['compact-threshold-bytes'] ? Number(values['compact-threshold-bytes']) : undefined,
  });
  process.stdout.write(JSON.stringify({ uri: engine.uri, port: engine.port, pid: process.pid }) + '\n');
  let stopping = false;
  const shutdown = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    console.error(`[embedded-mongo] ${signal} received, shutting down`);
    engine.stop().then(
      () => process.exit(0),
      (e: unknown) => {
        console.error(`[embedded-mongo] error while stopping: ${(e as Error).message}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch((e: unknown) => {
  console.error(`[embedded-mongo] failed to start: ${(e as Error).message}`);
  process.exit(1);
});
