/**
 * The upper bound for any external session store: Express + express-session + MemoryStore with the
 * same session options as Gatehouse, answering GET /api/auth/me with the same body. No database, no
 * logging, no security headers. bench/baseline-server.ts serves it; bench/allocations.ts hands it
 * requests in-process.
 *
 * The connect-mongo stores run on the embedded engine started in this process (as `npm start` runs
 * Gatehouse): the same minimal app plus the store's database work, which shows how much of Gatehouse's
 * cost is the store itself.
 * - `connect-mongo`: configured for the database work Gatehouse does (touchAfter as Gatehouse's 60 s,
 *   `stringify: false`, the idle timeout as TTL): 1 read and 0 writes per request inside touchAfter;
 * - `connect-mongo-defaults`: `MongoStore.create` with nothing but where to store (touchAfter 0, so a
 *   touch written on every request; the session stringified; 14-day TTL with its TTL index).
 */
import express from 'express';
import type { Express } from 'express';
import session from 'express-session';
import type { Store } from 'express-session';
import MongoStore from 'connect-mongo';
import mongoose from 'mongoose';
import { start } from '@gatehouse/embedded-mongo';
import type { MeResponse } from '@gatehouse/types/auth';
import type { Device } from '@gatehouse/types/sessions';
import type { User } from '@gatehouse/types/users';
import '../src/sessions/session-data';

const IDLE_MS = 30 * 60 * 1000;
const ABSOLUTE_MS = 30 * 24 * 3600 * 1000;

export type BaselineStore = 'memory' | 'connect-mongo' | 'connect-mongo-defaults';

async function createStore(kind: BaselineStore): Promise<Store> {
  if (kind === 'memory') return new session.MemoryStore();
  const engine = await start({ logger: { info: () => {}, warn: () => {} } });
  const client = await new mongoose.mongo.MongoClient(engine.uri).connect();
  if (kind === 'connect-mongo-defaults') return MongoStore.create({ client, dbName: 'baseline' });
  if (kind !== 'connect-mongo') throw new Error(`unknown store ${kind}`);
  return MongoStore.create({
    client,
    dbName: 'baseline',
    collectionName: 'sessions',
    stringify: false,
    ttl: IDLE_MS / 1000,
    touchAfter: 60,
    autoRemove: 'disabled',
  });
}

/** The baseline app on the store named (see the header). */
export async function createBaselineApp(kind: BaselineStore): Promise<Express> {
  const store = await createStore(kind);
  const app = express();
  app.disable('x-powered-by');
  app.use(
    session({
      name: 'gh.sid',
      secret: ['baseline-secret-0123456789-abcdefghijklmnop'],
      store,
      resave: false,
      saveUninitialized: false,
      rolling: true,
      cookie: { httpOnly: true, secure: false, sameSite: 'lax', path: '/' },
    }),
  );

  app.post('/api/auth/login', (req, res, next) => {
    req.session.regenerate((error: unknown) => {
      if (error) return next(error);
      const now = Date.now();
      const user: User = {
        id: '6650f0c0c0ffee0000000001',
        name: 'Bench User',
        email: 'bench@example.com',
        role: 'user',
        createdAt: new Date(now).toISOString(),
        emailVerified: true,
      };
      Object.assign(req.session, {
        userId: user.id,
        user,
        createdAt: now,
        authenticatedAt: now,
        absoluteExpiresAt: now + ABSOLUTE_MS,
        rememberMe: false,
        device: { browser: null, os: null, platform: null } satisfies Device,
        ip: req.ip ?? null,
      });
      req.session.save((saveError: unknown) => (saveError ? next(saveError) : res.json({ user })));
    });
  });

  app.get('/api/auth/me', (req, res) => {
    const data = req.session;
    if (!data.userId || !data.user) {
      res.status(401).json({ error: { code: 'unauthenticated', message: 'Sign in to continue.' } });
      return;
    }
    const now = Date.now();
    const createdAt = data.createdAt ?? now;
    const absoluteExpiresAt = data.absoluteExpiresAt ?? now;
    const idleExpiresAt = Math.min(now + IDLE_MS, absoluteExpiresAt);
    const body: MeResponse = {
      user: { ...data.user, passwordBreached: data.passwordBreached === true },
      session: {
        createdAt: new Date(createdAt).toISOString(),
        lastActiveAt: new Date(now).toISOString(),
        expiresAt: new Date(Math.min(idleExpiresAt, absoluteExpiresAt)).toISOString(),
        idleExpiresAt: new Date(idleExpiresAt).toISOString(),
        absoluteExpiresAt: new Date(absoluteExpiresAt).toISOString(),
        rememberMe: data.rememberMe ?? false,
        authenticatedAt: new Date(data.authenticatedAt ?? createdAt).toISOString(),
        assurance: data.assurance ?? 'aal1',
      },
    };
    res.set('Cache-Control', 'no-store').json(body);
  });

  app.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });
  return app;
}
