import { EMBEDDED_MONGO_FILE } from '../config';
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MeResponseSchema } from '@gatehouse/types/auth';
import { createTestApp, databaseUri, uniqueDbName } from '../test/test-app';
import type { TestApp } from '../test/test-app';
import { register } from '../test/sign-in';

const API_ROOT = fileURLToPath(new URL('../..', import.meta.url));

function runCli(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'src/cli/user-role.ts', ...args],
      { cwd: API_ROOT, env: { PATH: process.env.PATH ?? '', ...env } },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

let t: TestApp;
let dbName: string;
beforeAll(async () => {
  dbName = uniqueDbName();
  t = await createTestApp({ dbName });
});
afterAll(() => t.close());

describe('npm run user:role', () => {
  it('promotes an account and its signed-in sessions see the new role on their next request', { timeout: 30_000 }, async () => {
    const agent = t.agent();
    const credentials = await register(agent);
    const result = await runCli([credentials.email.toUpperCase(), 'admin'], { MONGODB_URI: databaseUri(dbName) });
    expect(result).toMatchObject({ code: 0 });
    expect(result.stdout).toMatch(/is now admin; 1 signed-in session updated/);
    expect(MeResponseSchema.parse((await agent.get('/api/auth/me')).body).user.role).toBe('admin');
  });

  it('finds the database through DATA_DIR/embedded-mongo.json when MONGODB_URI is unset', { timeout: 30_000 }, async () => {
    const credentials = await register(t.agent());
    const dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-cli-'));
    writeFileSync(join(dataDir, EMBEDDED_MONGO_FILE), JSON.stringify({ uri: databaseUri(dbName), pid: process.pid }));
    const result = await runCli([credentials.email, 'admin'], { DATA_DIR: dataDir });
    expect(result.code, result.stderr).toBe(0);
  });

  it('exits 1 for an unknown account and 2 for bad usage or no database to find', { timeout: 30_000 }, async () => {
    const env = { MONGODB_URI: databaseUri(dbName) };
    expect((await runCli(['nobody@example.com', 'admin'], env)).code).toBe(1);
    expect((await runCli(['someone@example.com', 'root'], env)).code).toBe(2);
    expect((await runCli(['someone@example.com'], env)).code).toBe(2);
    const lost = await runCli(['someone@example.com', 'user'], { DATA_DIR: mkdtempSync(join(tmpdir(), 'gatehouse-cli-')) });
    expect(lost.code).toBe(2);
    expect(lost.stderr).toMatch(/MONGODB_URI is not set/);
  });
});
