import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import MongoStore from 'connect-mongo';
import session from 'express-session';
import type { SessionData } from 'express-session';
import { MongoClient } from 'mongodb';
import { getServer } from './server';
import type { TestServer } from './server';

let server: TestServer;

beforeAll(async () => {
  server = await getServer('sessions');
});
afterAll(async () => {
  await server?.stop();
});

type Cb<T> = (cb: (err: unknown, v?: T) => void) => void;
const call = <T>(fn: Cb<T>): Promise<T | undefined> =>
  new Promise((resolve, reject) => fn((err, v) => (err ? reject(err instanceof Error ? err : new Error(String(err))) : resolve(v))));

function sessionData(userId: string, maxAgeMs = 60_000): SessionData {
  return {
    cookie: { originalMaxAge: maxAgeMs, maxAge: maxAgeMs, expires: new Date(Date.now() + maxAgeMs), httpOnly: true, path: '/' },
    userId,
  } as unknown as SessionData;
}

describe('connect-mongo store', () => {
  it('set / get / touch / length / all / destroy / clear', async () => {
    const store = MongoStore.create({ mongoUrl: server.uri, collectionName: 'sessions_api' });
    try {
      await call((cb) => store.set('s1', sessionData('u1'), cb));
      await call((cb) => store.set('s2', sessionData('u2'), cb));
      await call((cb) => store.set('s1', sessionData('u1-updated'), cb));
      const got = (await call<SessionData | null>((cb) => store.get('s1', cb))) as unknown as { userId: string };
      expect(got.userId).toBe('u1-updated');
      expect(await call<SessionData | null>((cb) => store.get('missing', cb))).toBeFalsy();
      await call((cb) => store.touch('s2', sessionData('u2', 120_000), cb));
      expect(await call<number>((cb) => store.length(cb))).toBe(2);
      const all = (await new Promise<unknown>((resolve, reject) =>
        store.all((e: unknown, v) => (e ? reject(e instanceof Error ? e : new Error(String(e))) : resolve(v))),
      )) as { userId: string }[];
      expect(all.map((s) => s.userId).sort()).toEqual(['u1-updated', 'u2']);
      await call((cb) => store.destroy('s1', cb));
      expect(await call<SessionData | null>((cb) => store.get('s1', cb))).toBeFalsy();
      await call((cb) => store.clear(cb));
      expect(await call<number>((cb) => store.length(cb))).toBe(0);
    } finally {
      await store.close();
    }
  });

  it('hides expired sessions and creates its TTL index idempotently', async () => {
    const a = MongoStore.create({ mongoUrl: server.uri, collectionName: 'sessions_ttl' });
    const b = MongoStore.create({ mongoUrl: server.uri, collectionName: 'sessions_ttl' });
    try {
      await call((cb) => a.set('old', sessionData('u', 1), cb));
      await new Promise((r) => setTimeout(r, 30));
      expect(await call<SessionData | null>((cb) => b.get('old', cb))).toBeFalsy();
      const client = new MongoClient(server.uri);
      try {
        const idx = await client.db(server.dbName).collection('sessions_ttl').listIndexes().toArray();
        expect(idx.find((i) => i.key.expires === 1)?.expireAfterSeconds).toBe(0);
      } finally {
        await client.close();
      }
    } finally {
      await a.close();
      await b.close();
    }
  });
});

describe('express-session + connect-mongo', () => {
  it('creates, reads, regenerates and destroys a session over HTTP', async () => {
    const store = MongoStore.create({ mongoUrl: server.uri, collectionName: 'sessions_http' });
    const mw = session({ secret: 'test-secret', store, resave: false, saveUninitialized: false, cookie: { maxAge: 60_000 } });
    const app = http.createServer((req, res) => {
      mw(req as never, res as never, () => {
        const s = (req as unknown as { session: session.Session & { userId?: string } }).session;
        const send = (code: number, body: unknown): void => {
          res.statusCode = code;
          res.setHeader('content-type', 'application/json');
          res.end(JSON.stringify(body));
        };
        if (req.url === '/login') {
          s.regenerate((err) => {
            if (err) return send(500, { err: String(err) });
            (req as unknown as { session: { userId: string } }).session.userId = 'user-42';
            send(200, { ok: true });
          });
        } else if (req.url === '/me') {
          send(s.userId ? 200 : 401, { userId: s.userId ?? null });
        } else if (req.url === '/logout') {
          s.destroy(() => send(200, { ok: true }));
        } else send(404, {});
      });
    });
    await new Promise<void>((r) => app.listen(0, '127.0.0.1', () => r()));
    const base = `http://127.0.0.1:${(app.address() as AddressInfo).port}`;
    try {
      expect((await fetch(`${base}/me`)).status).toBe(401);
      const login = await fetch(`${base}/login`);
      expect(login.status).toBe(200);
      const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] as string;
      expect(cookie).toMatch(/^connect\.sid=/);
      const me = await fetch(`${base}/me`, { headers: { cookie } });
      expect(me.status).toBe(200);
      expect(await me.json()).toEqual({ userId: 'user-42' });
      expect(await call<number>((cb) => store.length(cb))).toBe(1);
      expect((await fetch(`${base}/logout`, { headers: { cookie } })).status).toBe(200);
      expect((await fetch(`${base}/me`, { headers: { cookie } })).status).toBe(401);
      expect(await call<number>((cb) => store.length(cb))).toBe(0);
    } finally {
      await new Promise<void>((r) => app.close(() => r()));
      await store.close();
    }
  });
});
