import { createHmac, randomBytes } from 'node:crypto';
import Emittery from 'emittery';
import type { Request, Response } from 'express';
import type { SessionSummary } from '@gatehouse/types/auth';
import type { SessionData } from 'express-session';
import type { Connection } from 'mongoose';
import type { Logger } from 'pino';
import type { Assurance, AuthMethod, Device, SessionEndReason } from '@gatehouse/types/sessions';
import type { User } from '@gatehouse/types/users';
import type { Config } from '../config';
import { accountChanged, accountDisabled, unauthenticated } from '../http/errors';
import { createChangeFeed } from './change-feed';
import type { ChangeFeed, FeedChange } from './change-feed';
import { assuranceOf } from './assurance';
import { sessionHandle } from './handle';
import { toSessionRecord, UNKNOWN_DEVICE } from './session-record';
import type { SessionRecord } from './session-record';
import { createSessionCache } from './session-cache';
import { decideCap, SessionLimitReached, sessionCapOf } from './session-cap';
import type { SessionCapConfig } from './session-cap';
import type { SessionCache } from './session-cache';
import { clearBoundCookie, clearSessionCookie, createSessionMiddleware, forgetClientState } from './cookie-session';
import type { CookieSessionConfig } from './cookie-session';
import { GatehouseSessionStore } from './store';
import { touchAfterResponse } from './touch';
import { sessionSummary } from './views';
import type { SessionDocument } from './store';
import type { DeviceBinding, PendingSignIn } from './session-data';
import './session-data';

/** The one place the sessions collection is named: every other module asks the registry. */
export const SESSIONS_COLLECTION = 'sessions';
/** Revocation markers: what a replayed cookie of an ended session is judged by. */
export const SESSION_MARKERS_COLLECTION = 'revoked_sessions';
export const SESSION_MARKER_TTL_SECONDS = 30 * 24 * 60 * 60;
/** Requests the ended tab had in flight when it was told arrive within this window: not theft signals. */
export const FOLLOW_UP_GRACE_MS = 10_000;

export type { SessionEndReason, SessionRecord };
export type Actor = 'self' | 'admin' | 'system';

export interface EndCause {
  reason: SessionEndReason;
  actor: Actor;
}

/**
 * A rotated id ends too (its session lives on under a new id): it leaves a marker like any ending, so a
 * copy of the old cookie used later is judged the same way, but nothing is announced.
 */
export type MarkerReason = SessionEndReason | 'rotated';

/** What the registry needs to know of an account; users/accounts.ts provides it. */
export interface AccountState {
  user: User;
  /** Moves on with every change that must take rights away (disable, password, role, end all sessions). */
  version: number;
  isDisabled: boolean;
}

export interface AccountSource {
  load(userId: string): Promise<AccountState | null>;
  /** Moves the version on, so that every credential proof that read the account before now fails its check; returns the new one. */
  bumpVersion(userId: string): Promise<number>;
}

export interface EndedSession {
  sid: string;
  handle: string;
  device: Device;
  ip: string | null;
}

/**
 * Facts the registry announces; live/ and activity/ subscribe, the registry imports neither. Emitting
 * waits for the listeners, so what they record exists by the time the request that caused it answers.
 */
export interface SessionEvents {
  started: { userId: string; sid: string; isRotation: boolean };
  ended: { userId: string; cause: EndCause; sessions: EndedSession[] };
  /** The account snapshot in the account's sessions changed (role, name). */
  refreshed: { userId: string };
  /** A cookie of an ended (or rotated) session came back, and not from the tab that was told: a theft signal. */
  replayed: { userId: string; cause: { reason: MarkerReason; actor: Actor }; device: Device; ip: string | null };
}

export type SessionEventHub = Pick<Emittery<SessionEvents>, 'on' | 'off'>;

export type WatchResult =
  /** `nextDeadline`: the earliest idle deadline among the account's sessions, when the answer may next change by itself. */
  | { kind: 'alive'; fingerprint: string; nextDeadline: number }
  /** Ended through the registry: its marker says why. */
  | { kind: 'ended'; reason: SessionEndReason }
  /** Gone without a marker: expired and reaped, or mid-rotation. */
  | { kind: 'vanished' }
  /** The id was rotated (re-authentication, role change): the same session lives on under a new id. */
  | { kind: 'rotated' };

export interface SignInProof {
  account: AccountState;
  /**
   * Asked after the insert, with the account's version: false discards the new session (409). Sign-in
   * checks there that a one-factor proof is still all the account needs (a factor enrolled meanwhile, S41).
   */
  isStillEnough?: () => Promise<boolean>;
  authMethods: AuthMethod[];
  assurance: Assurance;
  /** With `oidc` among the methods: the provider's name. */
  signInProvider?: string | undefined;
  rememberMe: boolean;
  /** The password given was found in a breach corpus (S48); /api/auth/me says so. */
  passwordBreached?: boolean;
  deviceKey: string | null;
  device: Device;
  ip: string | null;
}

export interface StoreHealth {
  storedSessions: number;
  anonymousSessions: number;
  pendingSignIns: number;
  expiredNotReaped: number;
  ttlIndex: { present: boolean; expireAfterSeconds: number | null };
  userIndex: { present: boolean };
  /** Live sessions bound to a device key (device-binding/). */
  deviceBoundSessions: number;
  topUsers: { userId: string; sessions: number }[];
}

interface SessionMarker {
  _id: string;
  userId: string;
  revokedAt: Date;
  reason: MarkerReason;
  actor: Actor;
  /** When the holder of the session was told it ended (its live stream, or the response that ended it). */
  notifiedAt?: Date;
  followUpUsed?: boolean;
}

/** The cookie settings are optional for tools that never serve a request (cli/user-role.ts). */
export type RegistryConfig = Pick<Config, 'idleTimeoutSeconds' | 'rememberMeIdleTimeoutSeconds' | 'touchAfterSeconds' | 'absoluteTimeoutSeconds'> &
  Partial<Pick<Config, 'cookieName' | 'sessionSecrets' | 'isProduction'>> &
  Partial<Pick<Config, 'sessionCache' | 'sessionCacheMaxEntries' | 'deviceBinding'>> &
  SessionCapConfig;

export interface SessionRegistryDeps {
  connection: Connection;
  config: RegistryConfig;
  accounts: AccountSource;
  /** Where the change feed reports falling back or failing. */
  logger?: Pick<Logger, 'warn'>;
  /** Runs between a new session's insert and the account's re-read: tests hold it there to force S31 interleavings. */
  afterInsert?: () => Promise<void>;
}

/** What other modules may do with the registry's change feed (live/ subscribes; tests and tools sync). */
export type SessionFeed = Pick<ChangeFeed, 'start' | 'mode' | 'subscribe' | 'sync' | 'isCurrent'>;

export type SessionRegistry = ReturnType<typeof createSessionRegistry>;

/** What the session cache setting came to on this database (see `sessionCacheDecision`). */
export interface SessionCacheDecision {
  serving: 'coherent' | 'strict';
  reason: string;
}

const END_REASONS: ReadonlySet<string> = new Set<SessionEndReason>(['revoked', 'expired', 'signed_out', 'password_changed', 'account_disabled', 'evicted']);

function toEndReason(reason: unknown): SessionEndReason {
  return typeof reason === 'string' && END_REASONS.has(reason) ? (reason as SessionEndReason) : 'revoked';
}

function toMarkerReason(reason: unknown): MarkerReason {
  return reason === 'rotated' ? 'rotated' : toEndReason(reason);
}

/** Only live documents: connect-mongo ignores expired ones on read, and so must every listing. */
function notExpired(now = new Date()) {
  return { expires: { $gt: now } };
}

/** What another instance's change (or a lost place) means for this instance's cached sessions. */
function evictFor(cache: SessionCache, change: FeedChange): void {
  if (change.kind === 'lost') cache.clear();
  else if (change.kind === 'marker') cache.evictHandle(change.handle);
  else cache.evict(change.sid);
}

function toEndedSession(doc: SessionDocument): EndedSession {
  return { sid: doc._id, handle: doc.handle ?? sessionHandle(doc._id), device: doc.session.device ?? UNKNOWN_DEVICE, ip: doc.session.ip ?? null };
}

function regenerate(req: Request): Promise<void> {
  return new Promise((resolve, reject) => req.session.regenerate((error: unknown) => (error ? reject(error) : resolve())));
}

function save(req: Request): Promise<void> {
  return new Promise((resolve, reject) => req.session.save((error: unknown) => (error ? reject(error) : resolve())));
}

/** Persistent cookies follow the remember-me idle timeout, never past the absolute deadline (S5). */
function applyCookieLifetime(req: Request, config: RegistryConfig): void {
  const { rememberMe, absoluteExpiresAt = Date.now() } = req.session;
  if (!rememberMe) {
    req.session.cookie.maxAge = undefined;
    req.session.cookie.expires = undefined;
    return;
  }
  req.session.cookie.maxAge = Math.min(config.rememberMeIdleTimeoutSeconds * 1000, absoluteExpiresAt - Date.now());
}

function accountFields(account: AccountState): Pick<SessionData, 'userId' | 'user' | 'accountVersion'> {
  return { userId: account.user.id, user: account.user, accountVersion: account.version };
}

/**
 * Owns session state: the express-session store, creating and rotating sessions, every way they end,
 * listings, the account snapshot, revocation markers, store health and the cross-instance feed.
 *
 * Race-proofing (S31): a credential proof reads the account (its version), proves, inserts the new
 * session, then reads the account again. Every change that takes rights away moves the version on
 * *before* it ends sessions. So a proof racing a change either inserted before the change looked for
 * sessions (and is ended with them) or sees the new version after its insert (and discards itself).
 */
export function createSessionRegistry({ connection, config, accounts, logger, afterInsert }: SessionRegistryDeps) {
  const sessions = () => connection.collection<SessionDocument>(SESSIONS_COLLECTION);
  const markers = () => connection.collection<SessionMarker>(SESSION_MARKERS_COLLECTION);
  const events = new Emittery<SessionEvents>();
  /** Ids chosen for a request's next regenerate (see rotateIfAccountChanged); express-session asks `generateId`. */
  const chosenIds = new WeakMap<Request, string>();
  const feed = createChangeFeed({
    db: () => connection.getClient().db(connection.name),
    sessionsCollection: SESSIONS_COLLECTION,
    markersCollection: SESSION_MARKERS_COLLECTION,
    onProblem: (message, error) =>
      logger?.warn(error instanceof Error ? { err: { type: error.name, message: error.message } } : {}, `session feed: ${message}`),
  });
  const cacheMode = config.sessionCache ?? 'off';
  // `auto` and `coherent` both build the cache; it serves nothing unless the change stream is open and
  // current, so on a database without change streams either one reads every session (strict).
  const cache: SessionCache | null =
    cacheMode === 'off' ? null : createSessionCache({ maxEntries: config.sessionCacheMaxEntries ?? 10_000, isTrusted: () => feed.isCurrent() });
  if (cache) {
    feed.subscribeAll((change) => evictFor(cache, change));
    // Entries are only as good as the feed that evicts them: once it stops being current, none may stay.
    feed.subscribeNotCurrent(() => cache.clear());
    // Until the stream is open (and whenever it is not current) the cache is bypassed: strict reads.
    void feed.start();
  }
  // The settings do not change while the process runs: read once, not at every sign-in.
  const cap = sessionCapOf(config);
  const store = new GatehouseSessionStore({
    client: connection.getClient(),
    dbName: connection.name,
    collectionName: SESSIONS_COLLECTION,
    idleTimeoutSeconds: config.idleTimeoutSeconds,
    rememberMeIdleTimeoutSeconds: config.rememberMeIdleTimeoutSeconds,
    touchAfterSeconds: config.touchAfterSeconds,
    cache,
  });

  /**
   * Writes the new session; if the account is no longer at `expectedVersion` (it changed, or was disabled,
   * since the proof or the session this one replaces began), takes it back and refuses.
   */
  async function insertChecked(
    req: Request,
    userId: string,
    expectedVersion: number,
    isRotation: boolean,
    isStillEnough: () => Promise<boolean> = () => Promise.resolve(true),
  ): Promise<void> {
    store.markNew(req.session);
    await save(req);
    await afterInsert?.();
    const current = await accounts.load(userId);
    if (!current || current.isDisabled || current.version !== expectedVersion || !(await isStillEnough())) {
      // Regenerating deletes the document just written and leaves an empty session that is never saved.
      await regenerate(req);
      throw !current ? unauthenticated() : current.isDisabled ? accountDisabled() : accountChanged();
    }
    // A rotation replaces a session the account already had: only a new one can take it over the cap.
    if (!isRotation) await enforceCap(req, userId);
    await events.emit('started', { userId, sid: req.sessionID, isRotation });
  }

  /**
   * MAX_SESSIONS_PER_ACCOUNT, checked after the insert (S46, see decideCap): `refuse` takes the new
   * session back and throws SessionLimitReached; `evict-oldest` ends the least recently active others.
   */
  async function enforceCap(req: Request, userId: string): Promise<void> {
    if (!cap) return;
    const docs = await sessions()
      .find({ 'session.userId': userId, ...notExpired() })
      .toArray();
    const decision = decideCap(cap, req.sessionID, docs.map(toSessionRecord));
    if (decision.kind === 'refuse') {
      await regenerate(req);
      throw new SessionLimitReached(cap.max, decision.others);
    }
    if (decision.kind === 'evict') {
      const evicted = new Set(decision.evicted.map((record) => record.sid));
      await finish(
        docs.filter((doc) => evicted.has(doc._id)),
        userId,
        { reason: 'evicted', actor: 'system' },
      );
    }
  }

  async function writeMarkers(sids: string[], userId: string, cause: { reason: MarkerReason; actor: Actor }, isHolderTold: boolean): Promise<void> {
    if (sids.length === 0) return;
    const revokedAt = new Date();
    await markers().bulkWrite(
      sids.map((sid) => ({
        updateOne: {
          filter: { _id: sessionHandle(sid) },
          update: { $set: { userId, revokedAt, reason: cause.reason, actor: cause.actor, ...(isHolderTold ? { notifiedAt: revokedAt } : {}) } },
          upsert: true,
        },
      })),
      { ordered: false },
    );
  }

  /**
   * The one way sessions end. Marker before delete: a request racing the ending finds either its session
   * or its marker. Returns how many of them were still live (not past their idle deadline).
   */
  async function finish(
    docs: SessionDocument[],
    userId: string,
    cause: EndCause,
    { isHolderTold = false, accountWide = false, exceptSid }: { isHolderTold?: boolean; accountWide?: boolean; exceptSid?: string } = {},
  ): Promise<number> {
    await writeMarkers(
      docs.map((doc) => doc._id),
      userId,
      cause,
      isHolderTold,
    );
    if (accountWide) {
      // By owner rather than by the ids found: a session inserted since then goes too (its proof fails anyway).
      await sessions().deleteMany({ 'session.userId': userId, ...(exceptSid ? { _id: { $ne: exceptSid } } : {}) });
      cache?.evictUser(userId);
    } else if (docs.length > 0) {
      await sessions().deleteMany({ _id: { $in: docs.map((doc) => doc._id) } });
    }
    // Before the request that ended them answers, this instance stops serving them from memory.
    for (const doc of docs) cache?.evict(doc._id);
    if (docs.length > 0) await events.emit('ended', { userId, cause, sessions: docs.map(toEndedSession) });
    const now = Date.now();
    return docs.filter((doc) => doc.expires.getTime() > now).length;
  }

  const endProjection = { projection: { _id: 1, handle: 1, expires: 1, 'session.userId': 1, 'session.device': 1, 'session.ip': 1 } };

  async function listForUser(userId: string): Promise<SessionRecord[]> {
    const docs = await sessions()
      .find({ 'session.userId': userId, ...notExpired() })
      .toArray();
    return docs.map(toSessionRecord).sort((a, b) => b.lastActiveAt.getTime() - a.lastActiveAt.getTime());
  }

  async function listIndexes(): Promise<{ key: Record<string, unknown>; expireAfterSeconds?: number }[]> {
    try {
      return (await sessions().listIndexes().toArray()) as { key: Record<string, unknown>; expireAfterSeconds?: number }[];
    } catch (error) {
      // A collection never written has no indexes, and listing them is an error: report none.
      if (typeof error === 'object' && error !== null && 'codeName' in error && error.codeName === 'NamespaceNotFound') return [];
      throw error;
    }
  }

  /**
   * A new id for the same session (S4), with the account copy taken from `account`: after
   * re-authentication and password change (`proof`: the level the holder proved just now), and on the
   * first request after a role change (`proof: null`). Sign-in time and the absolute deadline stay; a
   * two-factor proof raises an `aal1` session to `aal2` (step-up), a weaker one never lowers it.
   *
   * The new session is only as good as the one it replaces: it must still be at the account version
   * that session was valid for (`expectedVersion`, by default the one it carries). A request that loaded
   * its session before an account change cannot re-authenticate its way past that change (S31).
   * `passwordBreached`: what is now known of the password (a change sets a new one); by default it stays.
   */
  async function rotate(
    req: Request,
    {
      account,
      proof,
      expectedVersion = req.session.accountVersion ?? 0,
      passwordBreached = req.session.passwordBreached === true,
    }: { account: AccountState; proof: Assurance | null; expectedVersion?: number; passwordBreached?: boolean },
  ): Promise<void> {
    const { createdAt, absoluteExpiresAt, authenticatedAt, authMethods, rememberMe, device, deviceKey, ip, signInProvider, deviceBinding } = req.session;
    const assurance = req.session.assurance ?? assuranceOf(authMethods ?? []);
    const authenticatedAssurance = req.session.authenticatedAssurance ?? assurance;
    // The request rotating it carries the new cookie back: its holder is told.
    await writeMarkers([req.sessionID], account.user.id, { reason: 'rotated', actor: proof ? 'self' : 'system' }, true);
    await regenerate(req);
    Object.assign(req.session, {
      ...accountFields(account),
      createdAt,
      absoluteExpiresAt,
      authenticatedAt: proof ? Date.now() : authenticatedAt,
      authenticatedAssurance: proof ?? authenticatedAssurance,
      assurance: proof === 'aal2' ? 'aal2' : assurance,
      authMethods,
      ...(signInProvider ? { signInProvider } : {}),
      rememberMe,
      passwordBreached,
      device,
      deviceKey,
      ip,
      // The browser's key stays bound to the session under its new id: its bound cookie names the binding.
      ...(deviceBinding ? { deviceBinding } : {}),
    } satisfies Partial<SessionData>);
    applyCookieLifetime(req, config);
    await insertChecked(req, account.user.id, expectedVersion, true);
  }

  function cookieConfig(): CookieSessionConfig {
    const { cookieName, sessionSecrets, isProduction } = config;
    if (cookieName === undefined || sessionSecrets === undefined || isProduction === undefined)
      throw new Error('this registry was made without cookie settings');
    return { cookieName, sessionSecrets, isProduction };
  }

  /** express-session's `genid`: 192 random bits (S1), unless the registry chose the id (a rotation). */
  function generateId(req: Request): string {
    return chosenIds.get(req) ?? randomBytes(24).toString('base64url');
  }

  /** The request's pending sign-in, unless it has expired. */
  function pendingSignInOf(req: Request): PendingSignIn | null {
    const pending = (req.session as Partial<SessionData> | undefined)?.pendingSignIn;
    return pending && pending.expiresAt > Date.now() ? pending : null;
  }

  /** Ends one session. `isHolderTold`: the request ending it is its own (sign-out), so it knows. */
  async function endSession(sid: string, cause: EndCause, { isHolderTold = false }: { isHolderTold?: boolean } = {}): Promise<boolean> {
    const doc = await sessions().findOne({ _id: sid }, endProjection);
    const userId = doc?.session.userId;
    if (!doc || typeof userId !== 'string') return false;
    await finish([doc], userId, cause, { isHolderTold });
    return true;
  }

  return {
    events: events as SessionEventHub,

    /** express-session over this registry's store: loads a request's session (1 read), ids from `generateId`. */
    middleware: () => createSessionMiddleware({ config: cookieConfig(), store, generateId }),

    /**
     * The one "end this session" behind every way a holder leaves (sign-out, revoking one's own session,
     * its absolute deadline, a reset opened in it): the ending recorded like any other (marker, event),
     * the request left anonymous, and the cookie cleared; `forgetClient` also asks the browser to drop
     * what it cached (Clear-Site-Data) when the person signed out.
     */
    async endThisSession(req: Request, res: Response, cause: EndCause, { forgetClient }: { forgetClient: boolean }): Promise<void> {
      if (req.session.userId) await endSession(req.sessionID, cause, { isHolderTold: true });
      await regenerate(req);
      if (forgetClient) forgetClientState(res, cookieConfig());
      else clearSessionCookie(res, cookieConfig());
      if (config.deviceBinding) clearBoundCookie(res, config.deviceBinding.cookieName, cookieConfig());
    },

    /** The current session as `/api/auth/me` reports it, from the loaded session alone (no extra read). */
    summaryOf: (req: Request): SessionSummary => sessionSummary(req, store),

    /** Moves the idle deadline after the response, as express-session's touch would have (store.ts). */
    touchAfterResponse: (req: Request, res: Response) => touchAfterResponse(req, res, store),

    /** Stores a new idle deadline for this request's session now (remember-me switched). */
    refreshDeadline: (req: Request) => store.refreshDeadline(req.sessionID, req.session as Partial<SessionData>),

    /**
     * Sign-in and registration: always a brand-new session id (S3), the pre-login session destroyed, and
     * the document written before the response so the cookie never names a session that does not exist.
     */
    async start(req: Request, proof: SignInProof): Promise<void> {
      await regenerate(req);
      const now = Date.now();
      const data: Omit<SessionData, 'cookie'> = {
        ...accountFields(proof.account),
        createdAt: now,
        authenticatedAt: now,
        authMethods: proof.authMethods,
        assurance: proof.assurance,
        authenticatedAssurance: proof.assurance,
        ...(proof.signInProvider ? { signInProvider: proof.signInProvider } : {}),
        absoluteExpiresAt: now + config.absoluteTimeoutSeconds * 1000,
        rememberMe: proof.rememberMe,
        passwordBreached: proof.passwordBreached === true,
        device: proof.device,
        deviceKey: proof.deviceKey,
        ip: proof.ip,
      };
      Object.assign(req.session, data);
      applyCookieLifetime(req, config);
      await insertChecked(req, proof.account.user.id, proof.account.version, false, proof.isStillEnough);
    },

    rotate,

    /**
     * After a right password for an account with a second factor: a new id (S3) for a session that holds
     * only the pending sign-in, stored until `pending.expiresAt` (the store caps its deadline there).
     */
    async startPending(req: Request, pending: PendingSignIn): Promise<void> {
      await regenerate(req);
      Object.assign(req.session, { pendingSignIn: pending, absoluteExpiresAt: pending.expiresAt, rememberMe: false, createdAt: Date.now() });
      applyCookieLifetime(req, config);
      store.markNew(req.session);
      await save(req);
    },

    pendingSignInOf,

    /**
     * Binds the request's signed-in session to the browser's key, once (S45): a session already bound
     * keeps its key, so a registration replayed or raced in later binds nothing.
     */
    async bindDevice(req: Request, binding: DeviceBinding): Promise<boolean> {
      const { modifiedCount } = await sessions().updateOne(
        { _id: req.sessionID, 'session.userId': { $type: 'string' }, 'session.deviceBinding': { $exists: false }, ...notExpired() },
        { $set: { 'session.deviceBinding': binding } },
      );
      cache?.evict(req.sessionID);
      return modifiedCount === 1;
    },

    /** Spends a refresh challenge: only one issued after the last one answered counts, so each works once. */
    async spendBindingChallenge(req: Request, bindingId: string, issuedAt: number): Promise<boolean> {
      const { modifiedCount } = await sessions().updateOne(
        { _id: req.sessionID, 'session.deviceBinding.id': bindingId, 'session.deviceBinding.lastChallengeAt': { $lt: issuedAt }, ...notExpired() },
        { $set: { 'session.deviceBinding.lastChallengeAt': issuedAt } },
      );
      cache?.evict(req.sessionID);
      return modifiedCount === 1;
    },

    /** Whose session a signed cookie named, and why it ended, once it has (its revocation marker). */
    async endedSessionOwner(sid: string): Promise<{ userId: string; reason: MarkerReason } | null> {
      const marker = await markers().findOne({ _id: sessionHandle(sid) });
      return marker ? { userId: marker.userId, reason: toMarkerReason(marker.reason) } : null;
    },

    /**
     * Takes the pending sign-in for the second step's proof: deleting its document is what makes it single
     * use, so two requests racing with the same cookie cannot both complete it.
     */
    async claimPending(req: Request): Promise<PendingSignIn | null> {
      const pending = pendingSignInOf(req);
      if (!pending) return null;
      const { deletedCount } = await sessions().deleteOne({ _id: req.sessionID, 'session.pendingSignIn.userId': pending.userId });
      return deletedCount === 1 ? pending : null;
    },

    /** Drops a pending sign-in (cancelled); the request is left with an empty session that is never saved. */
    async cancelPending(req: Request): Promise<void> {
      if ((req.session as Partial<SessionData> | undefined)?.pendingSignIn) await regenerate(req);
    },

    /** A role change reaches every session on its next request, with a new id (S4). */
    async rotateIfAccountChanged(req: Request): Promise<void> {
      const { userId, rotateOnNextRequest } = req.session;
      if (!userId || !rotateOnNextRequest) return;
      const account = await accounts.load(userId);
      if (!account || account.isDisabled) {
        await endSession(req.sessionID, { reason: 'account_disabled', actor: 'system' }, { isHolderTold: true });
        await regenerate(req);
        return;
      }
      // An open tab sends several requests at once, all carrying the old id: each must land on the same
      // new session, or all but one would get an orphan and a cookie that loses the race to the others.
      // The new id is derived from the old one (192 random bits no one else knows) and the account version.
      chosenIds.set(req, createHmac('sha256', req.sessionID).update(`gatehouse rotation\0${account.version}`).digest('base64url').slice(0, 32));
      try {
        await rotate(req, { account, proof: null, expectedVersion: account.version });
      } finally {
        chosenIds.delete(req);
      }
    },

    generateId,

    endSession,

    /**
     * Ends every session of an account but `exceptSid`. The version moves on first, so a sign-in or
     * re-authentication racing this cannot leave a session behind (S31).
     */
    async endAccountSessions(userId: string, cause: EndCause, { exceptSid }: { exceptSid?: string } = {}): Promise<number> {
      const version = await accounts.bumpVersion(userId);
      const docs = await sessions().find({ 'session.userId': userId }, endProjection).toArray();
      const ended = await finish(
        docs.filter((doc) => doc._id !== exceptSid),
        userId,
        cause,
        { accountWide: true, exceptSid },
      );
      // The session kept is valid at the new version: its later re-authentication must not fail.
      if (exceptSid) {
        await sessions().updateOne({ _id: exceptSid, 'session.userId': userId }, { $set: { 'session.accountVersion': version } });
        cache?.evict(exceptSid);
      }
      return ended;
    },

    /**
     * A correctly signed cookie named no live session. If its document is merely past its deadline, that is
     * the moment it ends (expired); if it was ended before, a reuse by anyone but the tab that was told is
     * a theft signal. Returns why it is gone, as far as the registry knows.
     */
    async noticeStaleCookie(sid: string, seenFrom: { device: Device; ip: string | null }): Promise<MarkerReason | null> {
      const expired = await sessions().findOne({ _id: sid, expires: { $lte: new Date() } }, endProjection);
      const expiredOwner = expired?.session.userId;
      if (expired && typeof expiredOwner === 'string') {
        await finish([expired], expiredOwner, { reason: 'expired', actor: 'system' }, { isHolderTold: true });
        return 'expired';
      }
      const handle = sessionHandle(sid);
      const followUp = await markers().findOneAndUpdate(
        {
          _id: handle,
          notifiedAt: { $exists: true },
          $or: [{ followUpUsed: { $ne: true } }, { notifiedAt: { $gt: new Date(Date.now() - FOLLOW_UP_GRACE_MS) } }],
        },
        { $set: { followUpUsed: true } },
      );
      if (followUp) return toMarkerReason(followUp.reason);
      const marker = await markers().findOne({ _id: handle });
      if (!marker) return null;
      await events.emit('replayed', { userId: marker.userId, cause: { reason: toMarkerReason(marker.reason), actor: marker.actor }, ...seenFrom });
      return toMarkerReason(marker.reason);
    },

    /** Records that the session's own live stream delivered `session_ended`. */
    async acknowledgeEnded(sid: string): Promise<void> {
      await markers().updateOne({ _id: sessionHandle(sid), notifiedAt: { $exists: false } }, { $set: { notifiedAt: new Date() } });
    },

    /**
     * Puts a changed account into every one of its sessions (they answer with it on their next request)
     * and, when rights changed, gives each a new id on that request. Returns how many sessions it reached.
     */
    async refreshAccount(account: AccountState, { rotate }: { rotate: boolean }): Promise<number> {
      const userId = account.user.id;
      const result = await sessions().updateMany(
        { 'session.userId': userId },
        { $set: { 'session.user': account.user, 'session.accountVersion': account.version, ...(rotate ? { 'session.rotateOnNextRequest': true } : {}) } },
      );
      cache?.evictUser(userId);
      await events.emit('refreshed', { userId });
      return result.modifiedCount;
    },

    listForUser,

    /**
     * After the account is gone: any session inserted meanwhile, pending sign-ins (which name the account
     * only in `pendingSignIn`), and the revocation markers, so a replayed cookie records nothing for it.
     */
    async forgetAccount(userId: string): Promise<number> {
      const { deletedCount } = await sessions().deleteMany({ $or: [{ 'session.userId': userId }, { 'session.pendingSignIn.userId': userId }] });
      await markers().deleteMany({ userId });
      cache?.evictUser(userId);
      return deletedCount;
    },

    /** The user's own session with this handle; another user's handle gives null (S11). */
    async findForUser(userId: string, handle: string): Promise<SessionRecord | null> {
      const doc = await sessions().findOne({ handle, 'session.userId': userId, ...notExpired() });
      return doc ? toSessionRecord(doc) : null;
    },

    async findByHandle(handle: string): Promise<SessionRecord | null> {
      const doc = await sessions().findOne({ handle, ...notExpired() });
      return doc ? toSessionRecord(doc) : null;
    },

    async findBySid(sid: string): Promise<SessionRecord | null> {
      const doc = await sessions().findOne({ _id: sid, ...notExpired() });
      return doc ? toSessionRecord(doc) : null;
    },

    /** Live sessions, most recently active first; `userIds` narrows to those accounts. */
    async page({ userIds, page, pageSize }: { userIds?: string[]; page: number; pageSize: number }): Promise<{ sessions: SessionRecord[]; total: number }> {
      const filter = { ...notExpired(), ...(userIds ? { 'session.userId': { $in: userIds } } : {}) };
      const [docs, total] = await Promise.all([
        sessions()
          .find(filter)
          .sort({ lastModified: -1, _id: 1 })
          .skip((page - 1) * pageSize)
          .limit(pageSize)
          .toArray(),
        sessions().countDocuments(filter),
      ]);
      return { sessions: docs.map(toSessionRecord), total };
    },

    /** Live sessions per account, in one `$group` rather than a count per user. */
    async countByUser(userIds?: string[]): Promise<Map<string, number>> {
      const match = userIds ? { 'session.userId': { $in: userIds } } : { 'session.userId': { $type: 'string' } };
      const rows = await sessions()
        .aggregate<{ _id: string; count: number }>([{ $match: { ...match, ...notExpired() } }, { $group: { _id: '$session.userId', count: { $sum: 1 } } }])
        .toArray();
      return new Map(rows.map((row) => [row._id, row.count]));
    },

    async health(topUsersLimit: number): Promise<StoreHealth> {
      const now = new Date();
      const [storedSessions, anonymousSessions, pendingSignIns, expiredNotReaped, indexes, topUsers, deviceBoundSessions] = await Promise.all([
        sessions().countDocuments({}),
        // saveUninitialized: false means every stored session has a user or a pending sign-in; anything else is a bug.
        sessions().countDocuments({ 'session.userId': null, 'session.pendingSignIn': { $exists: false } }),
        sessions().countDocuments({ 'session.pendingSignIn': { $exists: true }, ...notExpired(now) }),
        sessions().countDocuments({ expires: { $lte: now } }),
        listIndexes(),
        sessions()
          .aggregate<{ _id: string; sessions: number }>([
            { $match: { 'session.userId': { $type: 'string' }, ...notExpired(now) } },
            { $group: { _id: '$session.userId', sessions: { $sum: 1 } } },
            { $sort: { sessions: -1, _id: 1 } },
            { $limit: topUsersLimit },
          ])
          .toArray(),
        sessions().countDocuments({ 'session.deviceBinding': { $exists: true }, ...notExpired(now) }),
      ]);
      const hasKey = (index: { key: Record<string, unknown> }, field: string) => Object.keys(index.key).join() === field;
      const ttl = indexes.find((index) => hasKey(index, 'expires') && typeof index.expireAfterSeconds === 'number');
      return {
        storedSessions,
        anonymousSessions,
        pendingSignIns,
        expiredNotReaped,
        ttlIndex: { present: ttl !== undefined, expireAfterSeconds: ttl?.expireAfterSeconds ?? null },
        userIndex: { present: indexes.some((index) => hasKey(index, 'session.userId')) },
        deviceBoundSessions,
        topUsers: topUsers.map((row) => ({ userId: row._id, sessions: row.sessions })),
      };
    },

    /**
     * Where one open live stream stands: one indexed read tells whether this session still exists and
     * whether the account's set of sessions changed, whichever instance changed it. The live router asks
     * when the feed reports a change for the account (or, on a standalone MongoDB, on an interval).
     */
    async check(userId: string, sid: string, sessionCreatedAt: number | undefined): Promise<WatchResult> {
      const docs = await sessions()
        .find({ 'session.userId': userId, ...notExpired() }, { projection: { _id: 1, lastModified: 1, expires: 1, 'session.createdAt': 1 } })
        .toArray();
      if (!docs.some((doc) => doc._id === sid)) {
        const marker = await markers().findOne({ _id: sessionHandle(sid) });
        if (marker) return marker.reason === 'rotated' ? { kind: 'rotated' } : { kind: 'ended', reason: toEndReason(marker.reason) };
        const rotated = sessionCreatedAt !== undefined && docs.some((doc) => doc.session.createdAt === sessionCreatedAt);
        return rotated ? { kind: 'rotated' } : { kind: 'vanished' };
      }
      let latest = 0;
      let nextDeadline = Number.POSITIVE_INFINITY;
      for (const doc of docs) {
        latest = Math.max(latest, doc.lastModified?.getTime() ?? 0, doc.session.createdAt ?? 0);
        nextDeadline = Math.min(nextDeadline, doc.expires.getTime());
      }
      return { kind: 'alive', fingerprint: `${docs.length}:${latest}`, nextDeadline };
    },

    /**
     * Changes to session state made anywhere (other instances, tools), from one change stream per process
     * on the sessions and revocation-marker collections; the live router subscribes instead of polling.
     */
    feed: feed as SessionFeed,

    /**
     * How sessions are served and why (the start-up log line): `coherent` once the change stream is open,
     * `strict` when SESSION_CACHE=off or the database cannot do change streams. Waits for the feed's
     * first attempt; while that fails, sessions are read strictly and the feed keeps trying.
     */
    async sessionCacheDecision(): Promise<SessionCacheDecision> {
      const setting = `SESSION_CACHE=${cacheMode}`;
      if (!cache) return { serving: 'strict', reason: `${setting}: every request reads its session from the database` };
      const outcome = await feed.start();
      if (outcome === 'stream')
        return {
          serving: 'coherent',
          reason: `${setting} and the database offers change streams: sessions served from memory, evicted through the change stream`,
        };
      if (outcome === 'poll')
        return { serving: 'strict', reason: `${setting} but the database cannot do change streams (a standalone server): every request reads its session` };
      return { serving: 'strict', reason: `${setting} but the change stream could not open yet: every request reads its session until it does` };
    },

    /** How many sessions the coherent cache holds in memory now (0 when it is off). */
    cachedSessions: (): number => cache?.size() ?? 0,

    /** Stops the change feed (shutdown; tests): it holds a database cursor open. */
    close: () => feed.close(),

    async ensureIndexes(): Promise<void> {
      await Promise.all([
        // connect-mongo's TTL index (expires at `expires`), created here rather than in its constructor.
        sessions().createIndex({ expires: 1 }, { expireAfterSeconds: 0 }),
        sessions().createIndex({ handle: 1 }),
        sessions().createIndex({ 'session.userId': 1 }),
        // The admin listing's order (most recently active first): its first page reads 20 documents, not the whole store.
        sessions().createIndex({ lastModified: -1, _id: 1 }),
        markers().createIndex({ revokedAt: 1 }, { expireAfterSeconds: SESSION_MARKER_TTL_SECONDS }),
      ]);
    },
  };
}
