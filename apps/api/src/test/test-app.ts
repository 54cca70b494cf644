import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import supertest from 'supertest';
import type { Connection } from 'mongoose';
import { inject } from 'vitest';
import type { Express } from 'express';
import { createApp } from '../app';
import type { AppServices } from '../app';
import type { Config } from '../config';
import { connectDatabase } from '../db/connection';
import { createLogger } from '../http/logging';
import type { PasswordHasher } from '../auth/passwords';
import { testConfig } from './test-config';

export interface TestApp {
  app: Express;
  services: AppServices;
  config: Config;
  connection: Connection;
  /** A cookie-keeping client, like one browser. */
  agent(): supertest.Agent;
  /** Every log line written so far, parsed (S30 greps them). */
  logLines(): Record<string, unknown>[];
  logText(): string;
  close(): Promise<void>;
}

export interface TestAppOptions extends Partial<Config> {
  /** Wraps password checks (counting them, or pausing one to force an interleaving). */
  hasher?: PasswordHasher;
  /** The clock authenticator-app codes are checked against (see test/second-factor.ts's TestClock). */
  clock?: () => number;
  /** Reuse a database (restart and rotation tests) instead of a fresh one. */
  dbName?: string;
  /** Keep the database on close (so a second app can open it). */
  keepDatabase?: boolean;
  /** Another database server than the run's shared one (outage tests stop their own). */
  mongoUri?: string;
  monitorCommands?: boolean;
  /** Runs between a new session's insert and the account's re-read (S31 interleavings). */
  afterSessionInsert?: () => Promise<void>;
}

export function uniqueDbName(): string {
  return `gh_test_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
}

/** The run's database server, with a database name put in the URI. */
export function databaseUri(dbName: string): string {
  const url = new URL(inject('mongoUri'));
  url.pathname = `/${dbName}`;
  return url.toString();
}

export async function createTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const {
    hasher,
    clock,
    afterSessionInsert,
    dbName = uniqueDbName(),
    keepDatabase = false,
    mongoUri = inject('mongoUri'),
    monitorCommands = false,
    ...overrides
  } = options;
  const config = testConfig(overrides);
  const connection = await connectDatabase({ uri: mongoUri, dbName, timeoutMs: config.dbTimeoutMs, monitorCommands });

  let text = '';
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      text += chunk.toString('utf8');
      callback();
    },
  });
  const logger = createLogger({ level: config.logLevel, destination });
  const { app, services } = createApp({
    config,
    connection,
    logger,
    ...(hasher ? { hasher } : {}),
    ...(clock ? { clock } : {}),
    ...(afterSessionInsert ? { afterSessionInsert } : {}),
  });
  await services.ensureIndexes();

  return {
    app,
    services,
    config,
    connection,
    agent: () => supertest.agent(app),
    logText: () => text,
    logLines: () =>
      text
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Record<string, unknown>),
    async close() {
      services.live.closeAll();
      await services.jobs.settled();
      await services.close();
      if (!keepDatabase) await connection.dropDatabase();
      await connection.close();
    },
  };
}
