import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'csv-parse/sync';
import { ACTIVITY_EXPORT_COLUMNS, ActivityExportEntrySchema } from '@gatehouse/types/activity';
import { createTestApp } from '../test/test-app';
import type { TestApp } from '../test/test-app';
import { createAccount } from '../test/accounts';
import { signIn, signInAdmin } from '../test/sign-in';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

const ndjsonLines = (text: string) =>
  text
    .split('\n')
    .filter(Boolean)
    .map((line) => ActivityExportEntrySchema.parse(JSON.parse(line)));

describe('GET /api/activity/export', () => {
  it('refuses anonymous requests with 401', async () => {
    expect((await supertest(t.app).get('/api/activity/export?format=ndjson')).status).toBe(401);
  });

  it('answers 400 for an unknown format', async () => {
    const account = await createAccount(t);
    const { agent } = await signIn(t, account);
    const res = await agent.get('/api/activity/export?format=xml');
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: { code: 'validation_failed' } });
  });

  it('streams the account’s own trail as NDJSON, oldest first, one object a line with type and at', async () => {
    const account = await createAccount(t);
    const other = await createAccount(t);
    await signIn(t, other);
    const first = await signIn(t, account);
    expect((await first.agent.post('/api/auth/logout')).status).toBe(204);
    const { agent } = await signIn(t, account);

    const res = await agent
      .get('/api/activity/export?format=ndjson')
      .buffer(true)
      .parse((response, callback) => {
        let text = '';
        response.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
        response.on('end', () => callback(null, text));
      });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/x-ndjson/);
    expect(res.headers['content-disposition']).toMatch(/attachment; filename="activity\.ndjson"/);
    const lines = ndjsonLines(res.body as string);
    const types = lines.map((line) => line.type);
    expect(types.filter((type) => type === 'sign_in')).toHaveLength(2);
    expect(types).toContain('sign_out');
    // Nothing of the other account's.
    expect(lines).toHaveLength((await t.services.activity.listForUser(account.id)).length);
    expect(lines.every((line) => line.userId === undefined && typeof line.seq === 'number' && typeof line.hash === 'string')).toBe(true);
    const times = lines.map((line) => Date.parse(line.at));
    expect([...times].sort((a, b) => a - b)).toEqual(times);
  });

  it('gives CSV with a header line, quoted cells, and formulas defused', async () => {
    const account = await createAccount(t);
    const { agent } = await signIn(t, account);
    // A passkey's name is typed by its owner: the classic way a formula gets into an export.
    await t.services.activity.record({ userId: account.id, type: 'passkey_added', passkeyName: '=HYPERLINK("http://evil.example","x"), "quoted"' });
    await t.services.activity.record({ userId: account.id, type: 'passkey_removed', passkeyName: '@SUM(1+1)' });

    const res = await agent.get('/api/activity/export?format=csv');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    const text = res.text;
    expect(text.split('\n')[0]).toBe(ACTIVITY_EXPORT_COLUMNS.join(','));
    const rows = parse(text, { columns: true }) as Record<string, string>[];
    expect(rows.map((row) => row.type)).toEqual(['sign_in', 'passkey_added', 'passkey_removed']);
    expect(rows[1]?.passkeyName).toBe(`'=HYPERLINK("http://evil.example","x"), "quoted"`);
    expect(rows[2]?.passkeyName).toBe(`'@SUM(1+1)`);
    expect(JSON.parse(rows[0]?.device ?? 'null')).toMatchObject({ browser: expect.stringMatching(/^Firefox/) });
    expect(rows.flatMap((row) => Object.values(row)).filter((cell) => /^[=+\-@]/.test(cell))).toEqual([]);
  });
});

describe('GET /api/admin/activity/export', () => {
  it('is for admins only', async () => {
    const account = await createAccount(t);
    const { agent } = await signIn(t, account);
    expect((await agent.get('/api/admin/activity/export')).status).toBe(403);
  });

  it('exports every account’s trail with user ids, filtered by account and time', async () => {
    const admin = await signInAdmin(t);
    const alice = await createAccount(t);
    const bob = await createAccount(t);
    await signIn(t, alice);
    await signIn(t, bob);

    const all = ndjsonLines((await admin.agent.get('/api/admin/activity/export?format=ndjson')).text);
    expect(all.some((line) => line.userId === alice.id) && all.some((line) => line.userId === bob.id)).toBe(true);

    const onlyAlice = ndjsonLines((await admin.agent.get(`/api/admin/activity/export?email=${encodeURIComponent(alice.email.toUpperCase())}`)).text);
    expect(onlyAlice.map((line) => line.type)).toEqual(['sign_in']);
    expect(onlyAlice[0]?.userId).toBe(alice.id);

    const nobody = await admin.agent.get('/api/admin/activity/export?email=nobody%40example.com');
    expect(nobody.status).toBe(200);
    expect(nobody.text).toBe('');

    const future = await admin.agent.get('/api/admin/activity/export?format=csv&from=2999-01-01');
    expect(future.text.trim()).toBe(ACTIVITY_EXPORT_COLUMNS.join(','));
    const today = new Date().toISOString().slice(0, 10);
    const throughToday = ndjsonLines((await admin.agent.get(`/api/admin/activity/export?from=${today}&to=${today}&email=${alice.email}`)).text);
    expect(throughToday).toHaveLength(1);
    const beforeNow = ndjsonLines((await admin.agent.get(`/api/admin/activity/export?to=${encodeURIComponent('2000-01-01T00:00:00Z')}`)).text);
    expect(beforeNow).toEqual([]);
  });

  it('answers 400 for a bad bound or address', async () => {
    const admin = await signInAdmin(t);
    expect((await admin.agent.get('/api/admin/activity/export?from=yesterday')).status).toBe(400);
    expect((await admin.agent.get('/api/admin/activity/export?email=not-an-address')).status).toBe(400);
  });
});
