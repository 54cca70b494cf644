import { Router } from 'express';
import type { Request, Response } from 'express';
import { OidcProviderParamsSchema } from '@gatehouse/types/oidc';
import type { OidcErrorCode, OidcProvidersResponse, OidcRedirectResponse } from '@gatehouse/types/oidc';
import type { ActivityLog } from '../activity/activity-log';
import type { Config } from '../config';
import { HttpError, notFound } from '../http/errors';
import type { OidcFlow, OidcIntent } from '../oidc/flows';
import type { OidcIdentities } from '../oidc/identities';
import { OidcFailure } from '../oidc/provider-clients';
import type { ProviderClient, ProviderClients, ProviderIdentity } from '../oidc/provider-clients';
import type { ProviderTrips } from '../oidc/trips';
import { seenFrom } from '../sessions/device';
import type { AccountSource } from '../sessions/registry';
import { requireUser, signedInUser, signedInUserOf } from '../sessions/signed-in';
import type { UserDirectory } from '../users/directory';
import type { SignInAuthority } from './authority';
import { logAuthEvent } from './authority';

export interface OidcRouterDeps {
  config: Pick<Config, 'isProduction' | 'mail'>;
  authority: Pick<SignInAuthority, 'finish' | 'stepUp'>;
  clients: ProviderClients;
  trips: ProviderTrips;
  identities: Pick<OidcIdentities, 'find' | 'link'>;
  accounts: Pick<AccountSource, 'load'>;
  users: Pick<UserDirectory, 'contactByEmail' | 'registerConfirmed' | 'removeUnused'>;
  activity: Pick<ActivityLog, 'record'>;
}

/** Where each kind of flow lands, on success or with a reason. */
const LANDING: Record<OidcIntent, string> = { sign_in: '/login', connect: '/', reauth: '/' };

/**
 * Mounted at /api/auth/oidc: sign-in with an OpenID Connect provider (authorization code flow with PKCE,
 * state and nonce, the ID token checked by openid-client), and the callback that also finishes
 * connecting a provider and confirming it's you with one. Linking rules (S49):
 * - a provider account signs in only the Gatehouse account it was connected to (by `sub`, never by address);
 * - a new person whose provider vouches for the address (`email_verified`) gets a confirmed account;
 * - an address that already has an account is never linked silently: the person signs in the usual way
 *   and connects the provider from the dashboard (fresh re-authentication);
 * - an unverified address creates and links nothing;
 * - an account with a second factor takes its second step after the provider, like after a password.
 * Every failure lands on a page of the app with a reason (`oidc_error`), never on JSON or a stack trace.
 */
export function createOidcRouter(deps: OidcRouterDeps): Router {
  const { config, authority, clients, trips, identities, accounts, users, activity } = deps;
  const router = Router();

  const clientOf = (params: unknown): ProviderClient => {
    const parsed = OidcProviderParamsSchema.safeParse(params);
    const client = parsed.success ? clients.get(parsed.data.provider) : null;
    if (!client) throw notFound();
    return client;
  };

  const land = (res: Response, path: string, query: Record<string, string>) => res.redirect(302, `${path}?${new URLSearchParams(query).toString()}`);

  const fail = (req: Request, res: Response, intent: OidcIntent, provider: string, code: OidcErrorCode, detail?: string) => {
    req.log.info({ authEvent: 'oidc_failed', provider, reason: code, ...(detail ? { detail } : {}) }, 'auth: oidc_failed');
    // Signed out meanwhile: the dashboard would send the browser to /login and lose the reason.
    land(res, code === 'not_signed_in' ? '/login' : LANDING[intent], { oidc_error: code, provider });
  };

  router.get('/providers', (_req, res) => {
    const body: OidcProvidersResponse = { providers: clients.list() };
    res.json(body);
  });

  router.get('/:provider/start', async (req, res) => {
    const client = clientOf(req.params);
    // "Keep me signed in" on the sign-in page travels with the flow.
    const rememberMe = req.query.rememberMe === '1';
    try {
      res.redirect(302, (await trips.begin(req, res, client, { intent: 'sign_in', userId: null, rememberMe })).toString());
    } catch (error) {
      if (!(error instanceof OidcFailure)) throw error;
      fail(req, res, 'sign_in', client.config.id, error.code, error.message);
    }
  });

  /** Confirm it's you with a connected provider (an account made through one may have no password). */
  router.post('/:provider/reauth', requireUser, async (req, res) => {
    const body: OidcRedirectResponse = await trips.redirectFor(req, res, clientOf(req.params), { intent: 'reauth', userId: signedInUser(req).userId });
    res.json(body);
  });

  async function signIn(req: Request, res: Response, client: ProviderClient, identity: ProviderIdentity, flow: OidcFlow): Promise<void> {
    const provider = client.config.id;
    const providerName = client.config.name;
    const known = await identities.find(provider, identity.subject);
    let userId = known?.userId ?? null;
    if (!userId) {
      if (!identity.email || !identity.emailVerified) return fail(req, res, 'sign_in', provider, 'unverified_email');
      const existing = await users.contactByEmail(identity.email);
      if (existing) {
        await activity.record({ userId: existing.id, type: 'oidc_sign_in_refused', providerName, ...seenFrom(req) });
        return fail(req, res, 'sign_in', provider, 'account_exists');
      }
      const created = await users.registerConfirmed({ name: identity.name ?? identity.email.split('@')[0] ?? identity.email, email: identity.email });
      if (!created) return fail(req, res, 'sign_in', provider, 'account_exists');
      if ((await identities.link({ provider, subject: identity.subject, userId: created, email: identity.email })) === 'taken') {
        await users.removeUnused(created);
        return fail(req, res, 'sign_in', provider, 'already_linked');
      }
      await activity.record({ userId: created, type: 'registered', providerName, ...seenFrom(req) });
      logAuthEvent(req, 'registered', { userId: created });
      userId = created;
    }
    const account = await accounts.load(userId);
    if (!account) return fail(req, res, 'sign_in', provider, 'invalid_state');
    if (account.isDisabled) return fail(req, res, 'sign_in', provider, 'account_disabled');
    let outcome;
    try {
      outcome = await authority.finish(req, res, account, {
        authMethods: ['oidc'],
        rememberMe: flow.rememberMe,
        signInProvider: providerName,
        assurance: identity.assurance,
      });
    } catch (error) {
      // A redirect cannot carry the choice of a session to end: the page says so, and the password form offers it.
      if (error instanceof HttpError && error.code === 'session_limit_reached') return fail(req, res, 'sign_in', provider, 'session_limit_reached');
      throw error;
    }
    if (outcome.kind === 'second_factor_required') land(res, '/login', { second_step: '1' });
    else res.redirect(302, '/');
  }

  async function connect(req: Request, res: Response, client: ProviderClient, identity: ProviderIdentity, flow: OidcFlow): Promise<void> {
    const provider = client.config.id;
    const person = signedInUserOf(req);
    if (!person || person.userId !== flow.userId) return fail(req, res, 'connect', provider, 'not_signed_in');
    if (!identity.email || !identity.emailVerified) return fail(req, res, 'connect', provider, 'unverified_email');
    const known = await identities.find(provider, identity.subject);
    if (known && known.userId !== person.userId) return fail(req, res, 'connect', provider, 'already_linked');
    if (!known && (await identities.link({ provider, subject: identity.subject, userId: person.userId, email: identity.email })) === 'taken') {
      return fail(req, res, 'connect', provider, 'already_linked');
    }
    await activity.record({ userId: person.userId, type: 'oidc_connected', providerName: client.config.name, ...seenFrom(req) });
    logAuthEvent(req, 'oidc_connected', { userId: person.userId });
    land(res, '/', { connected: provider });
  }

  async function reauthenticate(req: Request, res: Response, client: ProviderClient, identity: ProviderIdentity, flow: OidcFlow): Promise<void> {
    const provider = client.config.id;
    const person = signedInUserOf(req);
    if (!person || person.userId !== flow.userId) return fail(req, res, 'reauth', provider, 'not_signed_in');
    const known = await identities.find(provider, identity.subject);
    if (known?.userId !== person.userId) return fail(req, res, 'reauth', provider, 'wrong_account');
    const account = await accounts.load(person.userId);
    if (!account || account.isDisabled) return fail(req, res, 'reauth', provider, 'account_disabled');
    // Fresh at the level the provider vouched for: on a two-factor session that is not enough for sudo mode (S42).
    await authority.stepUp(req, account, identity.assurance);
    logAuthEvent(req, 'reauth', { userId: person.userId, authMethods: ['oidc'] });
    land(res, '/', { reauthenticated: provider });
  }

  router.get('/:provider/callback', async (req, res) => {
    const client = clientOf(req.params);
    const provider = client.config.id;
    // Taken once: the same callback URL loaded again, or one from another browser, finds no flow.
    const flow = await trips.take(req, res, provider);
    if (!flow) return fail(req, res, 'sign_in', provider, 'invalid_state');
    let identity: ProviderIdentity;
    try {
      identity = await client.identityFrom(new URL(`${config.mail.publicUrl}${req.originalUrl}`), flow);
    } catch (error) {
      if (!(error instanceof OidcFailure)) throw error;
      return fail(req, res, flow.intent, provider, error.code, error.message);
    }
    if (flow.intent === 'connect') return connect(req, res, client, identity, flow);
    if (flow.intent === 'reauth') return reauthenticate(req, res, client, identity, flow);
    return signIn(req, res, client, identity, flow);
  });

  return router;
}
