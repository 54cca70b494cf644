import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import express from 'express';
import { afterAll, describe, expect, it } from 'vitest';
import { batchedDestination, createLogger, createRequestLogger } from './logging';

const work = mkdtempSync(join(tmpdir(), 'gatehouse-logging-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const linesOf = (file: string) =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>);

describe('the batched log destination', () => {
  it('holds lines for at most a few milliseconds, in order', async () => {
    const file = join(work, 'timed.log');
    const destination = batchedDestination(file);
    destination.write('{"n":1}\n');
    destination.write('{"n":2}\n');
    expect(readFileSync(file, 'utf8')).toBe('');
    await sleep(50);
    expect(linesOf(file)).toEqual([{ n: 1 }, { n: 2 }]);
  });

  it('writes at once when 8 KiB are pending', () => {
    const file = join(work, 'full.log');
    const destination = batchedDestination(file);
    const line = `{"pad":"${'x'.repeat(1000)}"}\n`;
    for (let index = 0; index < 9; index += 1) destination.write(line);
    expect(linesOf(file)).toHaveLength(9);
  });

  it('writes what it holds when the process exits, however it exits', () => {
    const file = join(work, 'exit.log');
    const script = join(work, 'exit.ts');
    writeFileSync(
      script,
      `import { batchedDestination } from ${JSON.stringify(fileURLToPath(new URL('./logging.ts', import.meta.url)))};\n` +
        `batchedDestination(${JSON.stringify(file)}).write('{"last":true}\\n');\nprocess.exit(3);\n`,
    );
    expect(() => execFileSync(process.execPath, ['--import', 'tsx', script], { stdio: 'pipe' })).toThrow();
    expect(linesOf(file)).toEqual([{ last: true }]);
  });
});

describe('the request log', () => {
  it('S30: writes one line per request, finished or abandoned, without the query string; req.log carries the request id', async () => {
    const file = join(work, 'requests.log');
    const logger = createLogger({ level: 'info', destination: batchedDestination(file) });
    const app = express();
    app.use(createRequestLogger(logger));
    app.get('/event', (req, res) => {
      req.log.info({ authEvent: 'test_event' }, 'auth: test_event');
      res.json({ ok: true });
    });
    app.get('/quiet', (_req, res) => {
      res.json({ ok: true });
    });
    app.get('/abandoned', () => {
      // Never answers: the client goes away.
    });
    const server = createServer(app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    const answered = await fetch(`${url}/event?token=secret`);
    await fetch(`${url}/quiet`);
    await fetch(`${url}/abandoned`, { signal: AbortSignal.timeout(100) }).catch(() => undefined);
    await sleep(100);
    await new Promise((resolve) => server.close(resolve));
    await sleep(50);

    const lines = linesOf(file);
    const requestLines = lines.filter((line) => typeof line.responseTime === 'number');
    expect(requestLines.map((line) => [(line.req as { path: string }).path, line.msg])).toEqual([
      ['/event', 'request completed'],
      ['/quiet', 'request completed'],
      ['/abandoned', 'request aborted'],
    ]);
    const event = lines.find((line) => line.authEvent === 'test_event');
    expect((event?.req as { id: string }).id).toBe(answered.headers.get('x-request-id'));
    expect(readFileSync(file, 'utf8')).not.toContain('secret');
  });
});

describe('what a line may carry', () => {
  it('S30: a raw request or response logged by mistake becomes its summary: no headers, raw headers or cookies', async () => {
    const file = join(work, 'raw.log');
    const logger = createLogger({ level: 'info', destination: batchedDestination(file) });
    const app = express();
    app.get('/raw', (req, res) => {
      logger.info({ req, res }, 'a raw request and response');
      res.json({ ok: true });
    });
    const server = createServer(app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    await fetch(`${url}/raw?sid=query-secret`, { headers: { Cookie: 'gh.sid=cookie-secret', Authorization: 'Bearer header-secret' } });
    await new Promise((resolve) => server.close(resolve));
    await sleep(50);

    const text = readFileSync(file, 'utf8');
    for (const secret of ['cookie-secret', 'header-secret', 'query-secret']) expect(text).not.toContain(secret);
    const [line] = linesOf(file);
    expect(line?.req).toMatchObject({ method: 'GET', path: '/raw' });
    expect(line?.res).toEqual({ statusCode: 200 });
    // The named paths are still censored wherever a line puts them.
    logger.info({ password: 'a password', headers: { cookie: 'x' }, err: { body: 'a body' } }, 'named paths');
    await sleep(50);
    const named = linesOf(file).at(-1);
    expect(named).toMatchObject({ password: '[redacted]', headers: '[redacted]', err: { body: '[redacted]' } });
  });
});
