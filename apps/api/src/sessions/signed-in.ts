import type { Request, RequestHandler } from 'express';
import type { SessionData } from 'express-session';
import type { Assurance, AuthMethod } from '@gatehouse/types/sessions';
import type { CurrentUser } from '@gatehouse/types/auth';
import type { User } from '@gatehouse/types/users';
import type { Config } from '../config';
import { forbidden, reauthRequired, unauthenticated } from '../http/errors';
import { assuranceOf, meetsAssurance } from './assurance';
import './session-data';

/** The signed-in person of a request: the one typed place handlers get them from. */
export interface SignedInUser {
  userId: string;
  user: User;
  sid: string;
  authenticatedAt: number;
  authMethods: AuthMethod[];
  /** How strongly the holder was proven (sessions from before levels were recorded: from their methods). */
  assurance: Assurance;
  /** The level the last proof reached (sudo mode asks for the session's own). */
  authenticatedAssurance: Assurance;
  deviceKey: string | null;
  /** The password proven at this session's sign-in is in a breach corpus (S48). */
  passwordBreached: boolean;
}

/** Whether the request's session is a signed-in person's: a pending sign-in (password right, second factor due) is nobody yet (S37). */
function isSignedIn(data: Partial<Request['session']> | undefined): data is Partial<Request['session']> & Pick<SessionData, 'userId' | 'user'> {
  return Boolean(data?.userId && data.user && !data.pendingSignIn);
}

export function signedInUserOf(req: Request): SignedInUser | null {
  const data = req.session as Partial<typeof req.session> | undefined;
  if (!isSignedIn(data)) return null;
  const assurance = data.assurance ?? assuranceOf(data.authMethods ?? ['password']);
  return {
    userId: data.userId,
    // A copy taken before addresses were verified has no flag: such an address is not verified.
    user: { ...data.user, emailVerified: data.user.emailVerified === true },
    sid: req.sessionID,
    authenticatedAt: data.authenticatedAt ?? 0,
    authMethods: data.authMethods ?? ['password'],
    assurance,
    authenticatedAssurance: data.authenticatedAssurance ?? assurance,
    deviceKey: data.deviceKey ?? null,
    passwordBreached: data.passwordBreached === true,
  };
}

/** The person as /api/auth/me and re-authentication answer them: the account, and what this session knows of its password. */
export function currentUserOf(person: Pick<SignedInUser, 'user' | 'passwordBreached'>): CurrentUser {
  return { ...person.user, passwordBreached: person.passwordBreached };
}

/** For handlers behind `requireUser`: the signed-in person, or 401 if the session ended meanwhile. */
export function signedInUser(req: Request): SignedInUser {
  const person = signedInUserOf(req);
  if (!person) throw unauthenticated();
  return person;
}

/**
 * Asks the question alone: building the person here, only for the handler to build it again, cost
 * every guarded request (`/me` on every page load) an object and a copy of the account.
 */
export const requireUser: RequestHandler = (req, _res, next) => {
  next(isSignedIn(req.session as Partial<Request['session']> | undefined) ? undefined : unauthenticated());
};

/** Role comes from the session's account snapshot, which role changes update in place (S4). */
export const requireAdmin: RequestHandler = (req, _res, next) => {
  const person = signedInUserOf(req);
  if (!person) return next(unauthenticated());
  next(person.user.role === 'admin' ? undefined : forbidden());
};

/**
 * Sudo mode (S13): the holder must have proved who they are within the window, at the session's own
 * level (S42): a two-factor session is not made fresh by a password alone.
 */
export function createRequireFreshAuth({ reauthWindowSeconds }: Pick<Config, 'reauthWindowSeconds'>): RequestHandler {
  return (req, _res, next) => {
    const person = signedInUserOf(req);
    if (!person) return next(unauthenticated());
    const isFresh = Date.now() - person.authenticatedAt <= reauthWindowSeconds * 1000 && meetsAssurance(person.authenticatedAssurance, person.assurance);
    next(isFresh ? undefined : reauthRequired());
  };
}

/** A session proven at `required` or better (the admin gate's REQUIRE_ADMIN_SECOND_FACTOR asks for aal2, S42). */
export function requireAssurance(required: Assurance, refusal: () => Error): RequestHandler {
  return (req, _res, next) => {
    const person = signedInUserOf(req);
    if (!person) return next(unauthenticated());
    next(meetsAssurance(person.assurance, required) ? undefined : refusal());
  };
}
