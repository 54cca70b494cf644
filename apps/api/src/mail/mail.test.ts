import { mkdirSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OutboxListResponseSchema } from '@gatehouse/types/dev';
import { ErrorBodySchema } from '@gatehouse/types/errors';
import { createAccount, newCredentials } from '../test/accounts';
import { isLoopbackPeer, listensOnLoopbackOnly } from './dev-router';
import { lastMailTo, tokenIn } from '../test/mail';
import { signIn } from '../test/sign-in';
import { createTestApp } from '../test/test-app';
import type { TestApp } from '../test/test-app';
import { testConfig } from '../test/test-config';

interface Received {
  from: string;
  to: string[];
  raw: string;
}

/** A real SMTP server on loopback that keeps what it is sent. */
async function startSmtpServer(): Promise<{ url: string; received: Received[]; close(): Promise<void> }> {
  const received: Received[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        received.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((rcpt) => rcpt.address),
          raw: Buffer.concat(chunks).toString('utf8'),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return { url: `smtp://127.0.0.1:${port}`, received, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

describe('mail over SMTP', () => {
  let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
  let t: TestApp;
  beforeAll(async () => {
    smtp = await startSmtpServer();
    const base = testConfig();
    t = await createTestApp({ mail: { ...base.mail, smtpUrl: smtp.url, from: 'Gatehouse <auth@gatehouse.test>' } });
  });
  afterAll(async () => {
    await t.close();
    await smtp.close();
  });

  it('a reset mail reaches the SMTP server with a plain-text and an HTML part, the product name and the From address; the dev outbox keeps it too', async () => {
    const account = await createAccount(t);
    expect((await supertest(t.app).post('/api/auth/password/forgot').send({ email: account.email })).status).toBe(202);
    const kept = await lastMailTo(t, account.email, 'set a new password');
    const [message] = smtp.received;
    expect(smtp.received).toHaveLength(1);
    expect(message?.from).toBe('auth@gatehouse.test');
    expect(message?.to).toEqual([account.email]);
    expect(message?.raw).toMatch(/^Subject: Gatehouse: set a new password$/m);
    expect(message?.raw).toMatch(/^From: Gatehouse <auth@gatehouse\.test>$/m);
    expect(message?.raw).toMatch(/Content-Type: multipart\/alternative/);
    expect(message?.raw).toMatch(/Content-Type: text\/plain/);
    expect(message?.raw).toMatch(/Content-Type: text\/html/);
    // The token survives MIME encoding (quoted-printable may wrap lines with "=").
    expect(message?.raw.replace(/=\r?\n/g, '')).toContain(tokenIn(kept));
    const sent = t.logLines().find((line) => (line.mail as { kind?: string } | undefined)?.kind === 'password_reset' && String(line.msg).includes('SMTP'));
    expect(sent?.msg).toBe('mail: password_reset sent over SMTP');
    expect(JSON.stringify(sent)).not.toContain(account.email);
  });

  it('an SMTP server that is down loses the message with a log line, never the request', async () => {
    const down = await createTestApp({ mail: { ...testConfig().mail, smtpUrl: 'smtp://127.0.0.1:9', outboxDir: null } });
    try {
      const account = await createAccount(down);
      expect((await supertest(down.app).post('/api/auth/password/forgot').send({ email: account.email })).status).toBe(202);
      await down.services.jobs.settled();
      const failed = down.logLines().find((line) => line.msg === 'mail: password_reset could not be sent over SMTP');
      expect(failed).toBeDefined();
      expect(JSON.stringify(failed)).not.toContain(account.email);
    } finally {
      await down.close();
    }
  });
});

describe('the dev outbox', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('lists every message newest first (id, to, subject, text, createdAt) and shows each HTML part as a page of its own; files 0600 in a 0700 directory', async () => {
    const first = await createAccount(t);
    const second = await createAccount(t);
    await supertest(t.app).post('/api/auth/password/forgot').send({ email: first.email });
    await t.services.jobs.settled();
    await supertest(t.app).post('/api/auth/password/forgot').send({ email: second.email });
    await t.services.jobs.settled();

    const res = await supertest(t.app).get('/api/dev/outbox');
    expect(res.status).toBe(200);
    const { messages } = OutboxListResponseSchema.parse(res.body);
    expect(messages.map((message) => message.to).slice(0, 2)).toEqual([second.email, first.email]);
    expect(Object.keys(messages[0] ?? {}).sort()).toEqual(['createdAt', 'id', 'subject', 'text', 'to']);

    const page = await supertest(t.app).get(`/api/dev/outbox/${messages[0]?.id}/html`);
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.headers['content-security-policy']).toMatch(/default-src 'none'/);
    expect(page.text).toContain(`href="${t.config.mail.publicUrl}/reset-password?token=`);
    expect((await supertest(t.app).get('/api/dev/outbox/0123456789abcdef01234567')).status).toBe(404);

    const dir = t.config.mail.outboxDir ?? '';
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    const stored = (await t.services.mail.mailer.outbox?.list()) ?? [];
    expect(stored.length).toBeGreaterThanOrEqual(2);
  });

  it('answers only to loopback peers, judged by the socket: X-Forwarded-For changes nothing', async () => {
    for (const peer of ['127.0.0.1', '127.9.9.9', '::1', '::ffff:127.0.0.1']) expect(isLoopbackPeer(peer), peer).toBe(true);
    for (const peer of ['10.0.0.1', '192.168.1.20', '::ffff:10.0.0.1', 'fe80::1', '', undefined]) expect(isLoopbackPeer(peer), String(peer)).toBe(false);
    const trusting = await createTestApp({ trustProxy: true });
    try {
      expect((await supertest(trusting.app).get('/api/dev/outbox').set('X-Forwarded-For', '203.0.113.5')).status).toBe(200);
    } finally {
      await trusting.close();
    }
  });

  it('exists only on a server that listens on loopback alone: opened to the network (HOST=:: or 0.0.0.0) it is a JSON 404 like any unknown API path', async () => {
    for (const hosts of [['127.0.0.1', '::1'], ['127.0.0.2'], ['localhost'], ['::1']]) expect(listensOnLoopbackOnly(hosts), hosts.join()).toBe(true);
    for (const hosts of [['::'], ['0.0.0.0'], ['127.0.0.1', '192.168.1.20'], ['gatehouse.example'], []])
      expect(listensOnLoopbackOnly(hosts), hosts.join()).toBe(false);

    for (const hosts of [['::'], ['0.0.0.0']]) {
      const open = await createTestApp({ hosts });
      try {
        const res = await supertest(open.app).get('/api/dev/outbox');
        expect(res.status, hosts.join()).toBe(404);
        expect(ErrorBodySchema.parse(res.body).error.code).toBe('not_found');
      } finally {
        await open.close();
      }
    }
    const local = await createTestApp({ hosts: ['127.0.0.1', '::1'] });
    try {
      expect((await supertest(local.app).get('/api/dev/outbox')).status).toBe(200);
    } finally {
      await local.close();
    }
  });
});

describe('production', () => {
  let t: TestApp;
  let webDistDir: string;
  beforeAll(async () => {
    webDistDir = mkdtempSync(join(tmpdir(), 'gatehouse-web-'));
    mkdirSync(join(webDistDir, 'assets'));
    writeFileSync(join(webDistDir, 'index.html'), '<!doctype html><title>Gatehouse</title>');
    const base = testConfig();
    t = await createTestApp({ env: 'production', isProduction: true, trustProxy: 'loopback', webDistDir, mail: { ...base.mail, outboxDir: null } });
  });
  afterAll(() => t.close());

  it('has no dev outbox: GET /api/dev/outbox and the /dev/outbox page are 404', async () => {
    const api = await supertest(t.app).get('/api/dev/outbox');
    expect(api.status).toBe(404);
    expect(ErrorBodySchema.parse(api.body).error.code).toBe('not_found');
    expect((await supertest(t.app).get('/dev/outbox')).status).toBe(404);
    expect((await supertest(t.app).get('/login')).status).toBe(200);
  });

  it('without SMTP_URL the features that need mail say so with 503 mail_unavailable; registration still works and says no mail went out', async () => {
    const forgot = await supertest(t.app).post('/api/auth/password/forgot').send({ email: 'someone@example.com' });
    expect(forgot.status).toBe(503);
    expect(ErrorBodySchema.parse(forgot.body).error).toMatchObject({ code: 'mail_unavailable', message: expect.stringMatching(/SMTP_URL/) as unknown });

    const credentials = newCredentials();
    const registered = await supertest(t.app).post('/api/auth/register').send(credentials);
    expect(registered.status).toBe(202);
    expect(registered.body).toMatchObject({ mail: 'unavailable' });
    // Secure cookies: the requests come "through a TLS proxy".
    const { cookie } = await signIn(t, credentials, { agent: t.agent().set('X-Forwarded-Proto', 'https') });
    const post = (path: string, body: object = {}) => supertest(t.app).post(path).set('X-Forwarded-Proto', 'https').set('Cookie', cookie).send(body);
    expect((await post('/api/auth/email/verification')).status).toBe(503);
    expect((await post('/api/auth/email/change', { email: newCredentials().email })).status).toBe(503);
  });
});
