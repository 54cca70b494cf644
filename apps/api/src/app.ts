import express from 'express';
import type { Express } from 'express';
import type { Connection } from 'mongoose';
import type { Logger } from 'pino';
import type { Config } from './config';
import { createActivityLog } from './activity/activity-log';
import type { ActivityLog } from './activity/activity-log';
import { createActivityRouter } from './activity/router';
import { recordSessionActivity } from './activity/session-activity';
import { createAdminRouter } from './admin/router';
import { createAuthRouter } from './auth/router';
import { createPasswordHasher } from './auth/passwords';
import type { PasswordHasher } from './auth/passwords';
import { createLoginThrottle } from './auth/throttle';
import { createKnownDevices } from './devices/known-devices';
import { parseJsonBody, requireJsonBody } from './http/body';
import { createCors } from './http/cors';
import { createCrossSiteGuard } from './http/cross-site';
import { apiNotFound, errorMiddleware } from './http/error-middleware';
import { createHealthRouter, createReadiness } from './http/health-router';
import type { Readiness } from './http/health-router';
import { createRequestLogger } from './http/logging';
import { createMethodNotAllowed } from './http/method-not-allowed';
import { createSecurityHeaders, noStore } from './http/security-headers';
import { createSpaRouter } from './http/spa';
import { createLiveBus } from './live/live-bus';
import type { LiveBus } from './live/live-bus';
import { createEventsRouter } from './live/router';
import { relaySessionEvents } from './live/session-feed';
import { createApiReferenceRouter } from './openapi/router';
import { createSessionRegistry } from './sessions/registry';
import type { SessionRegistry } from './sessions/registry';
import { createSessionsRouter } from './sessions/router';
import { createRequireFreshAuth, createSessionLifecycle, createSessionMiddleware } from './sessions/session-middleware';
import { createAccountChanges, createAccountSource } from './users/accounts';
import type { AccountChanges } from './users/accounts';
import { getUserModel } from './users/user-model';

export interface AppDeps {
  config: Config;
  connection: Connection;
  logger: Logger;
  /** Tests wrap the hasher to count or pace password checks; the app makes one from the configured cost. */
  hasher?: PasswordHasher;
}

export interface AppServices {
  registry: SessionRegistry;
  accounts: AccountChanges;
  activity: ActivityLog;
  live: LiveBus;
  readiness: Readiness;
  /** Creates the indexes the app relies on; server.ts and the test harness call it once connected. */
  ensureIndexes(): Promise<void>;
}

/** Builds the app from its dependencies; it neither connects nor listens (server.ts does). */
export function createApp({ config, connection, logger, hasher = createPasswordHasher(config.passwordHashing) }: AppDeps): { app: Express; services: AppServices } {
  const users = getUserModel(connection);
  const live = createLiveBus();
  const activity = createActivityLog({ connection, live });
  const registry = createSessionRegistry({ connection, config, accounts: createAccountSource(users) });
  const accounts = createAccountChanges({ users, sessions: registry, activity });
  const devices = createKnownDevices(connection);
  const readiness = createReadiness();
  // The registry announces; live push and the activity log listen (events flow one way).
  relaySessionEvents(registry.events, live);
  recordSessionActivity(registry.events, activity);

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
  app.use('/api', createApiReferenceRouter({ config })); // the OpenAPI document (and, outside production, its page): no database read either
  app.use('/api', createSessionMiddleware({ config, store: registry.store, generateId: (req) => registry.generateId(req) })); // loads the session (1 read) only for API calls, never for static files
  app.use('/api', createSessionLifecycle({ config, registry })); // absolute timeout (S9), pending role changes (S4), replayed-cookie detection
  app.use(
    '/api/auth',
    createAuthRouter({
      config,
      registry,
      users,
      accounts,
      devices,
      hasher,
      throttle: createLoginThrottle(connection, config.throttle),
      activity,
      requireFreshAuth: createRequireFreshAuth(config),
    }),
  );
  app.use('/api/sessions', createSessionsRouter({ config, registry, devices }));
  app.use('/api/activity', createActivityRouter({ activity }));
  app.use('/api/events', createEventsRouter({ config, registry, live }));
  app.use('/api/admin', createAdminRouter({ config, connection, registry, accounts, devices, activity }));
  app.use('/api', createMethodNotAllowed(app)); // a known path with another method: 405 + Allow
  app.use('/api', apiNotFound); // unknown API paths get JSON 404, never the SPA's index.html
  app.use(createSpaRouter(config)); // the built web app with history fallback
  app.use(errorMiddleware); // last: the one place errors become JSON (S25)

  const services: AppServices = {
    registry,
    accounts,
    activity,
    live,
    readiness,
    async ensureIndexes() {
      await registry.ensureIndexes();
      await devices.ensureIndexes();
      await users.createIndexes();
      await activity.ensureIndexes();
    },
  };
  return { app, services };
}
