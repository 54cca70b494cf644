import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect, makeAdmin, signInViaApi, test } from '../fixtures';
import { E2E_SERVER_ENV, e2eDataDir } from '../support/server-env';

const run = promisify(execFile);
const repoRoot = join(import.meta.dirname, '..', '..');

test.describe('activity export', () => {
  test('S47: the dashboard downloads the account’s own activity as NDJSON and CSV', async ({ page, signUpViaApi }) => {
    const account = await signUpViaApi('exporter');
    await signInViaApi(page.request, account);
    await page.goto('/');
    const activity = page.getByRole('region', { name: 'Recent activity' });
    await expect(activity.getByText('Signed in').first()).toBeVisible();

    const [ndjson] = await Promise.all([page.waitForEvent('download'), activity.getByRole('link', { name: 'Download activity', exact: true }).click()]);
    expect(ndjson.suggestedFilename()).toBe('activity.ndjson');
    const lines = (await readFile(await ndjson.path(), 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines.map((line) => line.type)).toEqual(expect.arrayContaining(['registered', 'sign_in']));
    for (const line of lines) expect(line).toMatchObject({ type: expect.any(String), at: expect.any(String), hash: expect.stringMatching(/^[0-9a-f]{64}$/) });

    const [csv] = await Promise.all([page.waitForEvent('download'), activity.getByRole('link', { name: 'Download activity as CSV' }).click()]);
    expect(csv.suggestedFilename()).toBe('activity.csv');
    const rows = (await readFile(await csv.path(), 'utf8')).trim().split('\n');
    expect(rows[0]).toMatch(/^at,type,actor,/);
    expect(rows).toHaveLength(lines.length + 1);
  });

  test('S47: an admin exports everyone’s activity for one account from the admin page, and the trail verifies', async ({ page, signUpViaApi, newDevice }) => {
    const admin = await signUpViaApi('admin');
    const member = await signUpViaApi('member');
    const memberDevice = await newDevice('Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0');
    await signInViaApi(memberDevice.page.request, member);
    await makeAdmin(admin.email);
    await signInViaApi(page.request, admin);

    await page.goto('/admin');
    const exportSection = page.getByRole('region', { name: 'Activity export' });
    await exportSection.getByLabel('Format').selectOption('csv');
    await exportSection.getByLabel('Only this account (email)').fill(member.email);
    const [download] = await Promise.all([page.waitForEvent('download'), exportSection.getByRole('link', { name: 'Export activity' }).click()]);
    expect(download.suggestedFilename()).toBe('activity-all.csv');
    const [header, ...rows] = (await readFile(await download.path(), 'utf8')).trim().split('\n');
    expect(header).toMatch(/^at,type,actor,isSuspicious,userId,/);
    expect(rows.some((row) => row.includes(',sign_in,'))).toBe(true);
    expect(rows.some((row) => row.includes(',registered,'))).toBe(true);
    const userIds = new Set(rows.map((row) => row.split(',')[4]));
    expect(userIds.size).toBe(1);

    // The running app's trail, checked from outside as an operator would.
    const verify = await run('npm', ['run', '--silent', 'activity:verify'], {
      cwd: repoRoot,
      env: { ...process.env, ...E2E_SERVER_ENV, DATA_DIR: e2eDataDir() },
      timeout: 60_000,
    });
    expect(verify.stdout).toMatch(/OK: \d+ chained entries verified/);
  });
});
