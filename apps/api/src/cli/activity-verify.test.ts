import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { start } from '@gatehouse/embedded-mongo';
import { EMBEDDED_DATABASE_NAME, EMBEDDED_MONGO_DIR, EMBEDDED_MONGO_FILE } from '../config';
import { ACTIVITY_COLLECTION } from '../activity/activity-log';
import { connectDatabase } from '../db/connection';
import { createTestApp, databaseUri, uniqueDbName } from '../test/test-app';
import type { TestApp } from '../test/test-app';
import { createAccount } from '../test/accounts';
import { signIn } from '../test/sign-in';

const API_ROOT = fileURLToPath(new URL('../..', import.meta.url));

function runVerify(env: Record<string, string>, args: string[] = []): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'src/cli/activity-verify.ts', ...args],
      { cwd: API_ROOT, env: { PATH: process.env.PATH ?? '', ...env } },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** Some sign-ins and sign-outs: a trail of a few chained entries. */
async function makeActivity(t: TestApp): Promise<void> {
  const account = await createAccount(t);
  const { agent } = await signIn(t, account);
  await agent.post('/api/auth/logout');
  await signIn(t, account);
}

describe('npm run activity:verify on a running app', () => {
  let t: TestApp;
  let dbName: string;
  beforeAll(async () => {
    dbName = uniqueDbName();
    t = await createTestApp({ dbName });
    await makeActivity(t);
  });
  afterAll(() => t.close());

  it('S47: exits 0 on an intact trail and prints the head hash for anchoring elsewhere', { timeout: 30_000 }, async () => {
    const result = await runVerify({ MONGODB_URI: databaseUri(dbName) });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/OK: \d+ chained entries verified/);
    expect(result.stdout).toMatch(/head hash: [0-9a-f]{64}/);
  });

  it('finds the running engine through DATA_DIR/embedded-mongo.json', { timeout: 30_000 }, async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-verify-'));
    writeFileSync(join(dataDir, EMBEDDED_MONGO_FILE), JSON.stringify({ uri: databaseUri(dbName), pid: process.pid }), { mode: 0o600 });
    const result = await runVerify({ DATA_DIR: dataDir }, ['--json']);
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ isIntact: true, problem: null });
  });

  it('S47: exits 1 naming the entry after one is changed directly in the database', { timeout: 30_000 }, async () => {
    const second = await t.connection.collection(ACTIVITY_COLLECTION).findOne({ seq: 2 });
    await t.connection.collection(ACTIVITY_COLLECTION).updateOne({ seq: 2 }, { $set: { actor: 'admin' } });
    const result = await runVerify({ MONGODB_URI: databaseUri(dbName) });
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(`TAMPERED: entry 2 (id ${second?._id.toHexString()}) was changed`);
  });

  it('exits 2 when there is no data to open', { timeout: 30_000 }, async () => {
    const result = await runVerify({ DATA_DIR: mkdtempSync(join(tmpdir(), 'gatehouse-verify-')) });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/no data to open/);
  });
});

describe('npm run activity:verify on a stopped app', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-verify-stopped-'));
  const dbPath = join(dataDir, EMBEDDED_MONGO_DIR);

  beforeAll(async () => {
    // What `npm start` leaves behind: the embedded engine's files in DATA_DIR/db, the engine gone.
    const engine = await start({ dbPath, logger: { info: () => {}, warn: () => {} } });
    const t = await createTestApp({ mongoUri: engine.uri, dbName: EMBEDDED_DATABASE_NAME, keepDatabase: true });
    await makeActivity(t);
    await t.close();
    await engine.stop();
  });

  it('S47: opens the data directory itself and exits 0; a file left by a killed API does not mislead it', { timeout: 60_000 }, async () => {
    const result = await runVerify({ DATA_DIR: dataDir });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/the API is stopped/);
    expect(result.stdout).toMatch(/OK: [1-9]\d* chained entries verified/);

    writeFileSync(join(dataDir, EMBEDDED_MONGO_FILE), JSON.stringify({ uri: 'mongodb://127.0.0.1:1/gatehouse', pid: 2 ** 22 + 1 }), { mode: 0o600 });
    expect((await runVerify({ DATA_DIR: dataDir })).code).toBe(0);
  });

  it('S47: exits 1 once an entry was removed behind the app’s back', { timeout: 60_000 }, async () => {
    const engine = await start({ dbPath, logger: { info: () => {}, warn: () => {} } });
    const connection = await connectDatabase({ uri: engine.uri, dbName: EMBEDDED_DATABASE_NAME, timeoutMs: 3000 });
    await connection.collection(ACTIVITY_COLLECTION).deleteOne({ seq: 2 });
    await connection.close();
    await engine.stop();

    const result = await runVerify({ DATA_DIR: dataDir });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/TAMPERED: entry 2 was removed/);
  });
});
