import type { Assurance, AuthMethod, Device } from '@gatehouse/types/sessions';
import { assuranceOf } from './assurance';
import { sessionHandle } from './handle';
import type { SessionDocument } from './store';
import './session-data';

export const UNKNOWN_DEVICE: Device = { browser: null, os: null, platform: null };

/** A stored session as the server sees it. `sid` must never reach a client: views carry `handle` only. */
export interface SessionRecord {
  sid: string;
  handle: string;
  userId: string | null;
  createdAt: Date;
  lastActiveAt: Date;
  idleExpiresAt: Date;
  absoluteExpiresAt: Date;
  authenticatedAt: Date;
  authMethods: AuthMethod[];
  assurance: Assurance;
  signInProvider: string | null;
  rememberMe: boolean;
  device: Device;
  /** The browser's device key; a session from before device cookies stands for a device of its own. */
  deviceKey: string;
  ip: string | null;
  /** Bound to a key of the browser's (device-binding/). */
  deviceBound: boolean;
  /** The stored `session` field as it is: mask before showing it. */
  data: SessionDocument['session'];
}

export function toSessionRecord(doc: SessionDocument): SessionRecord {
  const data = doc.session;
  const handle = doc.handle ?? sessionHandle(doc._id);
  const createdAt = typeof data.createdAt === 'number' ? new Date(data.createdAt) : (doc.lastModified ?? doc.expires);
  return {
    sid: doc._id,
    handle,
    userId: typeof data.userId === 'string' ? data.userId : null,
    createdAt,
    lastActiveAt: doc.lastModified ?? createdAt,
    idleExpiresAt: doc.expires,
    absoluteExpiresAt: typeof data.absoluteExpiresAt === 'number' ? new Date(data.absoluteExpiresAt) : doc.expires,
    authenticatedAt: typeof data.authenticatedAt === 'number' ? new Date(data.authenticatedAt) : createdAt,
    authMethods: Array.isArray(data.authMethods) ? data.authMethods : ['password'],
    assurance: data.assurance ?? assuranceOf(Array.isArray(data.authMethods) ? data.authMethods : []),
    signInProvider: typeof data.signInProvider === 'string' ? data.signInProvider : null,
    rememberMe: data.rememberMe === true,
    device: data.device ?? UNKNOWN_DEVICE,
    deviceKey: typeof data.deviceKey === 'string' ? data.deviceKey : `session:${handle}`,
    ip: data.ip ?? null,
    deviceBound: data.deviceBinding !== undefined,
    data,
  };
}
