import express from 'express';
import type { Express } from 'express';
import type { Connection } from 'mongoose';
import type { Logger } from 'pino';
import type { Config } from './config';
import { createActivityLog } from './activity/activity-log';
import type { ActivityLog } from './activity/activity-log';
import { createActivityRouter } from './activity/router';
import { createAdminRouter } from './admin/router';
import { createLiveBus } from './live/live-bus';
import type { LiveBus } from './live/live-bus';
import { createEventsRouter } from './live/router';
import { createSessionDirectory } from './sessions/directory';
import type { SessionDirectory } from './sessions/directory';
import { createSessionsRouter } from './sessions/router';
import { createAuthRouter } from './auth/router';
import { createPasswordHasher } from './auth/passwords';
import { createLoginThrottle, DEFAULT_THROTTLE_LIMITS } from './auth/throttle';
import type { ThrottleLimits } from './auth/throttle';
import { parseJsonBody, requireJsonBody } from './http/body';
import { createCors } from './http/cors';
import { createCrossSiteGuard } from './http/cross-site';
import { apiNotFound, errorMiddleware } from './http/error-middleware';
import { createHealthRouter, createReadiness } from './http/health-router';
import type { Readiness } from './http/health-router';
import { createRequestLogger } from './http/logging';
import { createSecurityHeaders, noStore } from './http/security-headers';
import { createSpaRouter } from './http/spa';
import { createRequireFreshAuth, createSessionLifecycle, createSessionMiddleware } from './sessions/session-middleware';
import { GatehouseSessionStore } from './sessions/store';
import { getUserModel } from './users/user-model';

export interface AppDeps {
  config: Config;
  connection: Connection;
  logger: Logger;
  /** Tests shorten the throttle windows; production uses the defaults. */
  throttleLimits?: ThrottleLimits;
}

export interface AppServices {
  store: GatehouseSessionStore;
  directory: SessionDirectory;
  activity: ActivityLog;
  live: LiveBus;
  readiness: Readiness;
  /** Creates the indexes the app relies on; server.ts and the test harness call it once connected. */
  ensureIndexes(): Promise<void>;
}

/** Builds the app from its dependencies; it neither connects nor listens (server.ts does). */
export function createApp({ config, connection, logger, throttleLimits = DEFAULT_THROTTLE_LIMITS }: AppDeps): { app: Express; services: AppServices } {
  const live = createLiveBus();
  const activity = createActivityLog({ connection, live });
  const store = new GatehouseSessionStore({ connection, ...config });
  const directory = createSessionDirectory({ connection, live });
  const users = getUserModel(connection);
  const readiness = createReadiness();

  const endOtherSessions = (userId: string, exceptSid: string, reason: string) =>
    directory.revokeAllForUser(userId, { exceptSid, actor: 'self', reason });

  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', config.trustProxy);
  app.set('query parser', 'simple');

  // Order matters; each line says why it sits where it does.
  app.use(createRequestLogger(logger)); // first, so every request is logged with id, user, status and latency, rejected ones too
  app.use(createSecurityHeaders(config)); // every response, SPA files included, carries CSP/HSTS/nosniff (S24)
  app.use('/api', noStore); // API answers carry personal data and must not be cached (S24)
  app.use('/api', createCors(config)); // exact-allowlist CORS, answered before anything else can refuse a preflight (S15)
  app.use('/api', createCrossSiteGuard(config)); // refuse cross-site state changes before reading a body (S14)
  app.use('/api', requireJsonBody); // JSON only: forms and text/plain are what other sites can post (S14)
  app.use('/api', parseJsonBody); // 10 kB, strict, depth-limited (S20, S23)
  app.use('/api', createHealthRouter({ connection, readiness })); // before sessions: probes cost no database read
  app.use('/api', createSessionMiddleware({ config, store })); // loads the session (1 read) only for API calls, never for static files
  app.use('/api', createSessionLifecycle({ config, activity, live, store, revocations: directory })); // absolute timeout (S9) and replayed-cookie detection
  app.use(
    '/api/auth',
    createAuthRouter({
      config,
      store,
      users,
      hasher: createPasswordHasher(config.passwordHashing),
      throttle: createLoginThrottle(connection, throttleLimits),
      activity,
      live,
      requireFreshAuth: createRequireFreshAuth(config),
      endOtherSessions,
    }),
  );
  app.use('/api/sessions', createSessionsRouter({ config, directory, activity, store }));
  app.use('/api/activity', createActivityRouter({ activity }));
  app.use('/api/events', createEventsRouter({ config, connection, directory, live }));
  app.use('/api/admin', createAdminRouter({ config, connection, directory, activity }));
  app.use('/api', apiNotFound); // unknown API paths get JSON 404, never the SPA's index.html
  app.use(createSpaRouter(config)); // the built web app with history fallback
  app.use(errorMiddleware); // last: the one place errors become JSON (S25)

  const services: AppServices = {
    store,
    directory,
    activity,
    live,
    readiness,
    async ensureIndexes() {
      await store.ensureIndexes();
      await directory.ensureIndexes();
      await users.createIndexes();
      await activity.ensureIndexes();
    },
  };
  return { app, services };
}
