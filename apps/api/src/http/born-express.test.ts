import { createServer, IncomingMessage, ServerResponse } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MeResponseSchema } from '@gatehouse/types/auth';
import { httpRequest, parseJson } from '../test/http-client';
import { register } from '../test/sign-in';
import { createTestApp } from '../test/test-app';
import type { TestApp } from '../test/test-app';
import { createBornExpressObjects } from './born-express';

let t: TestApp;
let server: Server;
let baseUrl: string;
const born = createBornExpressObjects();
/** For each request, whether it reached the app already carrying the app's prototypes. */
const arrivals: boolean[] = [];

beforeAll(async () => {
  t = await createTestApp();
  server = createServer(born.serverOptions, (req, res) => {
    arrivals.push(Object.getPrototypeOf(req) === t.app.request && Object.getPrototypeOf(res) === t.app.response);
    t.app(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await t.close();
});

describe('requests born with the app’s prototypes (the server’s request and response classes)', () => {
  it('before the app is adopted, requests are Node’s own and Express gives them its prototypes as usual', async () => {
    const res = await httpRequest(baseUrl, '/api/health');
    expect(res.status).toBe(200);
    expect(arrivals).toEqual([false]);
  });

  it('once adopted, every request and response arrives with the app’s prototypes, and the whole app works on them', async () => {
    born.adopt(t.app);
    arrivals.length = 0;
    // Registration, sign-in (session, cookies, request log, auth events) and /me, through the born objects.
    const account = await register(baseUrl);
    const me = await httpRequest(baseUrl, '/api/auth/me', { cookie: account.cookie, headers: { 'User-Agent': 'born-express test' } });
    expect(me.status).toBe(200);
    expect(MeResponseSchema.parse(parseJson(me)).user.email).toBe(account.email);
    expect(arrivals.length).toBeGreaterThanOrEqual(3);
    expect(arrivals.every(Boolean)).toBe(true);
  });

  it('keeps Node’s classes in the chain: a request is still an IncomingMessage, a response a ServerResponse', async () => {
    let seen: { request: boolean; response: boolean } | null = null;
    const probe = createServer(born.serverOptions, (req, res) => {
      seen = { request: req instanceof IncomingMessage, response: res instanceof ServerResponse };
      res.end();
    });
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    try {
      await httpRequest(`http://127.0.0.1:${(probe.address() as AddressInfo).port}`, '/');
    } finally {
      await new Promise((resolve) => probe.close(resolve));
    }
    expect(seen).toEqual({ request: true, response: true });
  });
});
