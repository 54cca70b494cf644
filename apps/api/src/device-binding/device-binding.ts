import { randomBytes } from 'node:crypto';
import { Router } from 'express';
import type { Request, RequestHandler, Response } from 'express';
import type { DeviceSessionEnd, DeviceSessionInstructions } from '@gatehouse/types/device-binding';
import type { ActivityLog } from '../activity/activity-log';
import type { Config } from '../config';
import { deviceBindingRequired, invalidDeviceProof, unauthenticated } from '../http/errors';
import { presentedSessionId } from '../sessions/cookie-session';
import { seenFrom } from '../sessions/device';
import { sessionHandle } from '../sessions/handle';
import type { SessionRegistry } from '../sessions/registry';
import { signedInUserOf } from '../sessions/signed-in';
import { createBoundCookie } from './bound-cookie';
import type { BoundCookie } from './bound-cookie';
import { createChallenges } from './challenges';
import { verifyRefreshProof, verifyRegistrationProof } from './proofs';

/** Where the browser registers and refreshes (the registration header names the first, the instructions the second). */
/** Where the device-binding endpoints are mounted in the API router, and their path from the origin. */
export const DEVICE_BINDING_ROUTE = '/auth/device-binding';
export const DEVICE_BINDING_PATH = `/api${DEVICE_BINDING_ROUTE}`;
export const REGISTRATION_PATH = `${DEVICE_BINDING_PATH}/registration`;
export const REFRESH_PATH = `${DEVICE_BINDING_PATH}/refresh`;

/** The DBSC headers as Chromium sends and reads them. */
const PROOF_HEADER = 'secure-session-response';
const SESSION_ID_HEADER = 'sec-secure-session-id';

/**
 * Requests the browser sent while its registration was in flight carry no bound cookie yet: the binding is
 * stored before the registration's answer (and its cookie) reaches the browser. A binding this young lets
 * them through; a stolen cookie is used later than this.
 */
export const REGISTRATION_GRACE_MS = 5_000;

/** A thief's script retrying without the key is one signal, not a flood: one entry a minute per session. */
const SIGNAL_INTERVAL_MS = 60_000;
const SIGNALS_REMEMBERED = 10_000;

export interface DeviceBindingDeps {
  config: Pick<Config, 'sessionSecrets' | 'isProduction' | 'cookieName' | 'deviceBinding'>;
  registry: Pick<SessionRegistry, 'bindDevice' | 'spendBindingChallenge' | 'endedSessionOwner'>;
  activity: Pick<ActivityLog, 'record'>;
}

/** The session instructions a registration or refresh answers with (W3C webappsec-dbsc). */
function sessionInstructions(bindingId: string, boundCookie: BoundCookie): DeviceSessionInstructions {
  return {
    session_identifier: bindingId,
    refresh_url: REFRESH_PATH,
    scope: { include_site: false, scope_specification: [] },
    credentials: [{ type: 'cookie', name: boundCookie.name, attributes: boundCookie.attributes }],
  };
}

/** Tells the browser to drop its bound session: there is nothing left to refresh. */
function endBinding(res: Response, bindingId: string, boundCookie: BoundCookie): void {
  boundCookie.clear(res);
  res.json({ session_identifier: bindingId, continue: false } satisfies DeviceSessionEnd);
}

/**
 * Device-bound sessions (S45): a browser that supports them binds each new session to a key it keeps on
 * the device, and renews a short-lived bound cookie by signing a challenge with it. Once a session is
 * bound, a request without a valid bound cookie is refused: a copied session cookie dies with the copied
 * bound cookie. The key is stored with the session through the registry (every instance and the coherent
 * cache see it); checking the bound cookie is one HMAC, so an authenticated request costs no more reads.
 */
export function createDeviceBinding({ config, registry, activity }: DeviceBindingDeps) {
  const boundCookie = createBoundCookie(config);
  const challenges = createChallenges(config.sessionSecrets);
  const lastSignal = new Map<string, number>();

  const recordQuietly = (req: Request, event: Parameters<ActivityLog['record']>[0]) => {
    activity.record(event).catch((error: unknown) => req.log.warn({ err: { message: String(error) } }, 'could not record activity'));
  };

  /** The refresh of a binding whose session is gone (signed out, revoked, expired): the binding ends too. */
  async function refuseEndedSession(req: Request, res: Response, bindingId: string): Promise<void> {
    const presented = presentedSessionId(req, config);
    const ended = presented === null ? null : await registry.endedSessionOwner(presented);
    if (ended && ended.reason !== 'rotated') {
      recordQuietly(req, { userId: ended.userId, type: 'device_binding_ended', ...seenFrom(req) });
    }
    req.log.info({ authEvent: 'device_binding_ended' }, 'auth: device_binding_ended');
    endBinding(res, bindingId, boundCookie);
  }

  const router = Router();

  router.post('/registration', async (req, res) => {
    const person = signedInUserOf(req);
    if (!person) throw unauthenticated();
    const proof = await verifyRegistrationProof(req.get(PROOF_HEADER) ?? '');
    if (!proof) throw invalidDeviceProof('The device proof is not a valid ES256 dbsc+jwt signature.');
    const challenge = challenges.read(proof.challenge, 'registration', sessionHandle(req.sessionID));
    if (!challenge) throw invalidDeviceProof('The challenge is unknown, for another session, or older than five minutes.');
    const binding = { id: randomBytes(16).toString('base64url'), publicKey: proof.publicKey, boundAt: Date.now(), lastChallengeAt: challenge.issuedAt };
    if (!(await registry.bindDevice(req, binding))) throw invalidDeviceProof('This session is already bound to a device.');
    req.log.info({ authEvent: 'device_bound', userId: person.userId }, 'auth: device_bound');
    boundCookie.issue(res, binding.id);
    res.json(sessionInstructions(binding.id, boundCookie));
  });

  router.post('/refresh', async (req, res) => {
    const bindingId = req.get(SESSION_ID_HEADER) ?? '';
    const person = signedInUserOf(req);
    const binding = person ? req.session.deviceBinding : undefined;
    if (!person || !binding || binding.id !== bindingId) return refuseEndedSession(req, res, bindingId);

    const jws = req.get(PROOF_HEADER);
    const proof = jws === undefined ? null : await verifyRefreshProof(jws, binding.publicKey);
    if (jws !== undefined && !proof) {
      // Signed by another key (or not at all): whoever holds this cookie does not hold the device.
      recordQuietly(req, { userId: person.userId, type: 'device_binding_ended', isSuspicious: true, ...seenFrom(req) });
      req.log.warn({ authEvent: 'device_proof_refused', userId: person.userId }, 'auth: device_proof_refused');
      return endBinding(res, bindingId, boundCookie);
    }
    const challenge = proof ? challenges.read(proof.challenge, 'refresh', binding.id) : null;
    if (!challenge || !(await registry.spendBindingChallenge(req, binding.id, challenge.issuedAt))) {
      // First leg, or an answer to a stale or spent challenge: a fresh challenge to sign.
      res
        .status(403)
        .set('Secure-Session-Challenge', `"${challenges.issue('refresh', binding.id)}";id="${binding.id}"`)
        .end();
      return;
    }
    boundCookie.issue(res, binding.id);
    res.json(sessionInstructions(binding.id, boundCookie));
  });

  /** After express-session and the lifecycle: a bound session's request must carry its bound cookie. */
  const enforce: RequestHandler = (req, _res, next) => {
    const binding = req.session.deviceBinding;
    const userId = req.session.userId;
    if (!binding || !userId || boundCookie.isValid(req, binding.id)) return next();
    const now = Date.now();
    if (now - binding.boundAt < REGISTRATION_GRACE_MS) return next();
    if ((lastSignal.get(binding.id) ?? 0) + SIGNAL_INTERVAL_MS <= now) {
      if (lastSignal.size >= SIGNALS_REMEMBERED) lastSignal.clear();
      lastSignal.set(binding.id, now);
      recordQuietly(req, { userId, type: 'session_used_without_device_key', ...seenFrom(req) });
      req.log.warn({ authEvent: 'session_used_without_device_key', userId }, 'auth: session_used_without_device_key');
    }
    next(deviceBindingRequired());
  };

  return {
    router,
    enforce,

    /** On the response that starts a session: browsers that support it register a key (others ignore the header). */
    offer(req: Request, res: Response): void {
      if (!config.deviceBinding.isOffered) return;
      const challenge = challenges.issue('registration', sessionHandle(req.sessionID));
      res.set('Secure-Session-Registration', `(ES256);path="${REGISTRATION_PATH}";challenge="${challenge}"`);
    },
  };
}

export type DeviceBindingService = ReturnType<typeof createDeviceBinding>;
