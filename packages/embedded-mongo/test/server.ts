/**
 * Test helper: the conformance suite runs unchanged against a real MongoDB when MONGODB_URI is
 * set (each test file gets its own database), otherwise against the embedded engine.
 */
import { randomBytes } from 'node:crypto';
import { MongoClient, MongoServerError } from 'mongodb';
import type { Db } from 'mongodb';
import { afterAll, beforeAll, expect } from 'vitest';
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

/**
 * One server and one connected driver client for a test file, opened before its tests and closed after;
 * `db` is the file's own database, `uri` its connection string (for mongoose).
 */
export function useDatabase(
  label: string,
  options: StartOptions = {},
): { readonly db: Db; readonly client: MongoClient; readonly uri: string; readonly server: TestServer } {
  let server: TestServer | undefined;
  let client: MongoClient | undefined;
  let db: Db | undefined;
  beforeAll(async () => {
    server = await getServer(label, options);
    client = new MongoClient(server.uri);
    await client.connect();
    db = client.db(server.dbName);
  });
  afterAll(async () => {
    await client?.close();
    await server?.stop();
  });
  return {
    get db(): Db {
      if (!db) throw new Error('the database is opened in beforeAll');
      return db;
    },
    get client(): MongoClient {
      if (!client) throw new Error('the client connects in beforeAll');
      return client;
    },
    get uri(): string {
      return this.server.uri;
    },
    get server(): TestServer {
      if (!server) throw new Error('the server is started in beforeAll');
      return server;
    },
  };
}

/** The MongoDB error code an operation fails with; fails the test if it succeeds or fails any other way. */
export async function serverErrorCode(operation: Promise<unknown>): Promise<number | undefined> {
  const error = await operation.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(MongoServerError);
  return (error as MongoServerError).code as number | undefined;
}
