import express from 'express';
import type { Express } from 'express';
import type { Connection } from 'mongoose';
import type { Logger } from 'pino';
import type { Config } from './config';
import { createAccountLeaving } from './account/leaving';
import { createLeavingRouter } from './account/router';
import { createActivityLog } from './activity/activity-log';
import type { ActivityLog } from './activity/activity-log';
import { createActivityRouter } from './activity/router';
import { recordSessionActivity } from './activity/session-activity';
import { createAdminRouter } from './admin/router';
import { addAuthRoutes } from './auth/router';
import { createBreachedPasswords } from './breached-passwords/range-lookup';
import { createPasswordHasher } from './auth/passwords';
import type { PasswordHasher } from './auth/passwords';
import { createRegistrationRouter } from './auth/registration-router';
import { createLoginThrottle } from './throttle/login-throttle';
import { createKnownDevices } from './devices/known-devices';
import { createNewDeviceAlerts } from './sign-in/new-device-alerts';
import { jsonBody } from './http/body';
import { createCors } from './http/cors';
import { createCrossSiteGuard } from './http/cross-site';
import { apiNotFound, errorMiddleware } from './http/error-middleware';
import { addHealthRoutes, createReadiness } from './http/health';
import type { Readiness } from './http/health';
import { createRequestLogger } from './http/logging';
import { createMethodNotAllowed } from './http/method-not-allowed';
import { createBackgroundJobs } from './jobs/background-jobs';
import type { BackgroundJobs } from './jobs/background-jobs';
import { createApiSecurityHeaders, createSecurityHeaders } from './http/security-headers';
import { createSpaRouter } from './http/spa';
import { createLiveBus } from './live/live-bus';
import { createPlaces } from './location/places';
import type { Places } from './location/places';
import { createPasskeysRouter } from './passkeys/account-router';
import { createPasskeyAssertions } from './passkeys/assertions';
import { createChallenges } from './passkeys/challenges';
import { createPasskeyStore } from './passkeys/passkey-store';
import { createRelyingParty } from './passkeys/relying-party';
import { createPasskeySignInRouter } from './sign-in/passkey-router';
import { createSecondFactorRouter } from './second-factor/account-router';
import { createCodeThrottle } from './throttle/code-throttle';
import { createSecondFactorEnrolment } from './second-factor/enrolment';
import { createSecondFactorNotices } from './second-factor/notices';
import { createSecondFactors } from './second-factor/second-factors';
import { createSecondStepRouter } from './sign-in/second-step';
import { createSignInAuthority } from './sign-in/authority';
import { createDeviceBinding, DEVICE_BINDING_ROUTE } from './device-binding/device-binding';
import { createEmailLinkSignIn } from './sign-in/email-link';
import { createPasswordRouter } from './sign-in/password-router';
import { createSessionLimitRouter } from './sign-in/session-limit-router';
import { createSessionLimitTickets } from './sign-in/session-limit-tickets';
import { createOidcRouter } from './sign-in/oidc-router';
import { createConnectionsRouter } from './oidc/connections-router';
import { createOidcFlows } from './oidc/flows';
import { createOidcIdentities } from './oidc/identities';
import { createProviderClients } from './oidc/provider-clients';
import { createProviderTrips } from './oidc/trips';
import { createFactorChanges } from './second-factor/factor-changes';
import { createSecretBox } from './second-factor/secret-box';
import type { Clock } from './second-factor/totp';
import type { LiveBus } from './live/live-bus';
import { createEventsRouter } from './live/router';
import { relaySessionEvents } from './live/session-feed';
import { createDevRouter, listensOnLoopbackOnly } from './mail/dev-router';
import { createMailService } from './mail/mail-service';
import type { MailService } from './mail/mail-service';
import { createMailThrottle } from './throttle/mail-throttle';
import { createPasswordResets } from './recovery/password-resets';
import { createRecoveryRouter } from './recovery/router';
import { addApiReferenceRoutes } from './openapi/router';
import { createSessionRegistry } from './sessions/registry';
import type { SessionRegistry } from './sessions/registry';
import { createSessionsRouter } from './sessions/router';
import { createSessionLifecycle } from './sessions/session-lifecycle';
import { createRequireFreshAuth, requireUser } from './sessions/signed-in';
import { createAccountTokens } from './tokens/account-tokens';
import { createAccountChanges, createAccountSource } from './users/accounts';
import type { AccountChanges } from './users/accounts';
import { createUserDirectory } from './users/directory';
import { getUserModel } from './users/user-model';
import { createEmailVerification } from './verification/email-verification';
import { createVerificationRouter } from './verification/router';

export interface AppDeps {
  config: Config;
  connection: Connection;
  logger: Logger;
  /** Tests wrap the hasher to count or pace password checks; the app makes one from the configured cost. */
  hasher?: PasswordHasher;
  /** Epoch milliseconds for authenticator-app codes; tests move it on to get a fresh code per step. */
  clock?: Clock;
  /** Runs between a new session's insert and the account's re-read (tests force S31 interleavings there). */
  afterSessionInsert?: () => Promise<void>;
}

export interface AppServices {
  registry: SessionRegistry;
  accounts: AccountChanges;
  activity: ActivityLog;
  live: LiveBus;
  readiness: Readiness;
  /** Work done after the response (mail above all): shutdown and tests wait for it. */
  jobs: BackgroundJobs;
  mail: MailService;
  /** Where sessions are; server.ts warms it up once the port is open. */
  places: Places;
  /** Creates the indexes the app relies on; server.ts and the test harness call it once connected. */
  ensureIndexes(): Promise<void>;
  /** Stops work that holds the database open (the session change feed), before the connection closes. */
  close(): Promise<void>;
}

/** Builds the app from its dependencies; it neither connects nor listens (server.ts does). */
export function createApp({
  config,
  connection,
  logger,
  hasher = createPasswordHasher(config.passwordHashing),
  clock = Date.now,
  afterSessionInsert,
}: AppDeps): {
  app: Express;
  services: AppServices;
} {
  const users = getUserModel(connection);
  const live = createLiveBus();
  const jobs = createBackgroundJobs(logger);
  const activity = createActivityLog({ connection, live, retentionSeconds: config.activityRetentionSeconds });
  const accountSource = createAccountSource(users);
  const directory = createUserDirectory(users);
  const registry = createSessionRegistry({
    connection,
    config,
    accounts: accountSource,
    logger,
    ...(afterSessionInsert ? { afterInsert: afterSessionInsert } : {}),
  });
  const tokens = createAccountTokens(connection);
  const accounts = createAccountChanges({ users, sessions: registry, activity, tokens });
  const devices = createKnownDevices(connection);
  const places = createPlaces({ enabled: config.geoip, logger });
  const readiness = createReadiness();
  const mail = createMailService({ config, logger, jobs });
  const mailThrottle = createMailThrottle(connection, config.throttle);
  const verification = createEmailVerification({ config, tokens, mail, activity, jobs });
  const resets = createPasswordResets({ users: directory, tokens, mail, activity, jobs });
  const requireFreshAuth = createRequireFreshAuth(config);
  const codeThrottle = createCodeThrottle(connection, config.throttle);
  const secondFactors = createSecondFactors({ connection, box: createSecretBox(config.totpEncryptionKeys), clock, issuer: config.serviceName });
  const passkeys = createPasskeyStore(connection);
  const challenges = createChallenges(connection);
  const relyingParty = createRelyingParty({
    config,
    challenges,
    onRejected: (reason) => logger.info({ authEvent: 'passkey_rejected', reason }, 'auth: passkey_rejected'),
  });
  const assertions = createPasskeyAssertions({ store: passkeys, relyingParty });
  const loginThrottle = createLoginThrottle(connection, config.throttle);
  // As long to choose a session to end as to enter a second factor: both wait on a proven sign-in.
  const sessionLimitTickets = createSessionLimitTickets(connection, { ttlSeconds: config.secondFactorTimeoutSeconds });
  const deviceBinding = createDeviceBinding({ config, registry, activity });
  const breaches = createBreachedPasswords(config.breachedPasswords, logger);
  const authority = createSignInAuthority({
    config,
    registry,
    accounts: accountSource,
    hasher,
    breaches,
    passwordThrottle: loginThrottle,
    codeThrottle,
    secondFactors,
    passkeys,
    devices,
    activity,
    sessionLimitTickets,
    deviceBinding,
    onNewDevice: createNewDeviceAlerts({ mail, activity, places }),
    async onUnverified(account) {
      // The right password was given: a fresh link is due, unless this address got its share of mail.
      if (await mailThrottle.tryTakeAddress(account.user.email)) verification.sendLinkLater({ userId: account.user.id, email: account.user.email });
    },
  });
  const factorChanges = createFactorChanges({ accounts: accountSource, registry });
  const providerClients = createProviderClients(config.oidcProviders, config.mail.publicUrl);
  const oidcFlows = createOidcFlows(connection);
  const oidcIdentities = createOidcIdentities(connection);
  const providerTrips = createProviderTrips({ config, clients: providerClients, flows: oidcFlows, throttle: codeThrottle });
  // The registry announces; live push and the activity log listen (events flow one way).
  relaySessionEvents(registry.events, live);
  recordSessionActivity(registry.events, activity);

  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', config.trustProxy);
  app.set('query parser', 'simple');
  // API answers are no-store (below) and the SPA's files get their validators from express.static, so an
  // ETag on a JSON answer would never be revalidated: not hashing every body for one saves that work.
  app.set('etag', false);

  // Order matters; each line says why it sits where it does.
  app.use(createRequestLogger(logger)); // first, so every request is logged with id, user, status and latency, rejected ones too
  // The API is one router mounted once: its layers below see paths under /api without each matching and
  // trimming the prefix again (every layer mounted on the app at '/api' did, on every request).
  const api = express.Router();
  app.use('/api', api);
  api.use(createApiSecurityHeaders(config)); // every API answer: no-store, nothing may load or frame it, nosniff, HSTS (S24)
  api.use(createCors(config)); // exact-allowlist CORS, answered before anything else can refuse a preflight (S15)
  api.use(createCrossSiteGuard(config)); // refuse cross-site state changes before reading a body (S14)
  api.use(jsonBody); // JSON only, as forms and text/plain are what other sites can post (S14); 10 kB, strict, depth-limited (S20, S23)
  addHealthRoutes(api, { connection, readiness }); // before sessions: probes cost no database read
  addApiReferenceRoutes(api, { config }); // the OpenAPI document (and, outside production, its page): no database read either
  api.use(registry.middleware()); // loads the session (1 read) only for API calls, never for static files
  api.use(createSessionLifecycle({ config, registry })); // absolute timeout (S9), pending role changes (S4), replayed-cookie detection
  api.use(DEVICE_BINDING_ROUTE, deviceBinding.router); // device-bound sessions register and refresh here, without the bound cookie by nature
  api.use(deviceBinding.enforce); // a bound session's request without its bound cookie: 401 and a theft signal (S45)
  // The signed-in session's own routes (/me, sign-out, password) first among those under /auth, as routes
  // of this router: /me is asked on every page load, and each router it passes on the way is entered and left again.
  addAuthRoutes(api, { config, registry, accounts, authority, hasher, breaches, requireFreshAuth });
  api.use(
    '/auth/login/second-factor',
    createSecondStepRouter({
      authority,
      registry,
      accounts: accountSource,
      secondFactors,
      passkeys,
      assertions,
      relyingParty,
      activity,
      notices: createSecondFactorNotices({ activity, mail }),
    }),
  ); // the only route a pending sign-in can use (S37)
  api.use(
    '/auth/passkey',
    createPasskeySignInRouter({ registry, authority, accounts: accountSource, store: passkeys, relyingParty, assertions, throttle: codeThrottle, activity }),
  );
  api.use('/auth', createPasswordRouter({ authority, registry, requireUser }));
  api.use('/auth', createSessionLimitRouter({ authority }));
  api.use(
    '/auth/oidc',
    createOidcRouter({
      config,
      authority,
      clients: providerClients,
      trips: providerTrips,
      identities: oidcIdentities,
      accounts: accountSource,
      users: directory,
      activity,
    }),
  );
  api.use('/auth', createRegistrationRouter({ users: directory, hasher, breaches, throttle: loginThrottle, mailThrottle, mail, verification, activity, jobs }));
  api.use('/auth', createRecoveryRouter({ registry, users: directory, accounts, tokens, resets, hasher, breaches, mail, mailThrottle }));
  api.use(
    '/auth',
    createVerificationRouter({
      config,
      users: directory,
      accountSource,
      accounts,
      tokens,
      verification,
      emailLink: createEmailLinkSignIn({ authority, accounts }),
      mail,
      mailThrottle,
      activity,
      jobs,
      requireFreshAuth,
    }),
  );
  api.use('/account/passkeys', createPasskeysRouter({ store: passkeys, relyingParty, activity, requireFreshAuth, factorChanges }));
  api.use('/account', createSecondFactorRouter({ config, secondFactors, throttle: codeThrottle, activity, requireFreshAuth, factorChanges }));
  api.use(
    '/account/connections',
    createConnectionsRouter({
      clients: providerClients,
      trips: providerTrips,
      identities: oidcIdentities,
      users: directory,
      passkeys,
      activity,
      requireFreshAuth,
    }),
  );
  api.use(
    '/account',
    createLeavingRouter({
      leaving: createAccountLeaving({
        accounts: accountSource,
        users: directory,
        registry,
        activity,
        devices,
        places,
        secondFactors,
        passkeys,
        challenges,
        identities: oidcIdentities,
        flows: oidcFlows,
        providerNames: providerClients,
        tokens,
        throttles: [loginThrottle, codeThrottle, mailThrottle],
      }),
      registry,
      requireFreshAuth,
      logger,
    }),
  );
  api.use('/sessions', createSessionsRouter({ config, registry, devices, places }));
  api.use('/activity', createActivityRouter({ activity }));
  api.use('/events', createEventsRouter({ config, registry, live }));
  api.use(
    '/admin',
    createAdminRouter({
      config,
      connection,
      registry,
      accounts,
      devices,
      places,
      activity,
      resets,
      mail,
      mailThrottle,
      enrolment: createSecondFactorEnrolment({ secondFactors, passkeys }),
      connections: {
        async namesAmong(userIds) {
          const byUser = await oidcIdentities.providersAmong(userIds);
          return new Map([...byUser].map(([userId, providers]) => [userId, providers.map((provider) => providerClients.nameOf(provider))]));
        },
      },
    }),
  );
  if (mail.mailer.outbox && listensOnLoopbackOnly(config.hosts)) api.use('/dev', createDevRouter({ outbox: mail.mailer.outbox })); // development and tests only: never in production, nor on a server open to the network
  api.use(createMethodNotAllowed(app)); // a known path with another method: 405 + Allow
  api.use(apiNotFound); // unknown API paths get JSON 404, never the SPA's index.html
  app.use(createSecurityHeaders(config)); // the web app's pages and files: strict CSP, HSTS, nosniff… (S24)
  app.use(createSpaRouter(config)); // the built web app with history fallback
  app.use(errorMiddleware); // last: the one place errors become JSON (S25)

  const services: AppServices = {
    registry,
    accounts,
    activity,
    live,
    readiness,
    jobs,
    mail,
    places,
    async ensureIndexes() {
      await registry.ensureIndexes();
      await tokens.ensureIndexes();
      await devices.ensureIndexes();
      await users.createIndexes();
      await activity.ensureIndexes();
      await secondFactors.ensureIndexes();
      await passkeys.ensureIndexes();
      await challenges.ensureIndexes();
      await oidcFlows.ensureIndexes();
      await sessionLimitTickets.ensureIndexes();
      await oidcIdentities.ensureIndexes();
    },
    close: () => registry.close(),
  };
  return { app, services };
}
