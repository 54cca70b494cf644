/**
 * Test helper: the conformance suite runs unchanged against a real MongoDB when MONGODB_URI is
 * set (each test file gets its own database), otherwise against the embedded engine.
 */
import { randomBytes } from 'node:crypto';
import { MongoClient } from 'mongodb';
import { start } from '../src/index';
import type { RunningEngine, StartOptions } from '../src/index';

export const realMongo = Boolean(process.env.MONGODB_URI);

export interface TestServer {
  /** URI including the per-file database name. */
  uri: string;
  dbName: string;
  /** The embedded engine, when not running against a real server. */
  engine: RunningEngine | undefined;
  stop(): Promise<void>;
}

export const quietLogger = { info: (): void => undefined, warn: (): void => undefined };

/** Replaces the database path of a mongodb:// URI, keeping credentials' auth source stable. */
export function withDatabase(uri: string, dbName: string): string {
  const m = /^(mongodb(?:\+srv)?:\/\/)([^/?]*)\/?([^?]*)(?:\?(.*))?$/.exec(uri);
  if (!m) throw new Error(`cannot parse MONGODB_URI ${uri}`);
  const [, scheme, hosts, path, query] = m;
  const params = new URLSearchParams(query ?? '');
  if (!params.has('authSource') && hosts?.includes('@')) params.set('authSource', path || 'admin');
  const qs = params.toString();
  return `${scheme}${hosts}/${dbName}${qs ? `?${qs}` : ''}`;
}

export async function getServer(label: string, options: StartOptions = {}): Promise<TestServer> {
  const dbName = `gh_${label.replace(/[^a-z0-9]/gi, '_')}_${randomBytes(4).toString('hex')}`;
  if (realMongo) {
    const uri = withDatabase(process.env.MONGODB_URI as string, dbName);
    return {
      uri,
      dbName,
      engine: undefined,
      async stop() {
        const c = new MongoClient(uri);
        try {
          await c.db(dbName).dropDatabase();
        } finally {
          await c.close();
        }
      },
    };
  }
  const engine = await start({ port: 0, ttlMonitorIntervalMs: 100, logger: quietLogger, ...options });
  return { uri: engine.uri + dbName, dbName, engine, stop: () => engine.stop() };
}
