import type { Request } from 'express';
import type { SessionData } from 'express-session';
import type { SessionSummary } from '@gatehouse/types/auth';
import type { AdminSessionView } from '@gatehouse/types/admin';
import type { SessionView } from '@gatehouse/types/sessions';
import type { DeviceLabel } from '../devices/known-devices';
import { assuranceOf } from './assurance';
import type { SessionRecord } from './session-record';
import type { GatehouseSessionStore } from './store';

export function toSessionView(session: SessionRecord, { currentSid, label }: { currentSid: string | null; label?: DeviceLabel }): SessionView {
  return {
    handle: session.handle,
    isCurrent: session.sid === currentSid,
    createdAt: session.createdAt.toISOString(),
    lastActiveAt: session.lastActiveAt.toISOString(),
    idleExpiresAt: session.idleExpiresAt.toISOString(),
    absoluteExpiresAt: session.absoluteExpiresAt.toISOString(),
    rememberMe: session.rememberMe,
    device: session.device,
    deviceName: label?.name ?? null,
    firstSeenAt: (label?.firstSeenAt ?? session.createdAt).toISOString(),
    ip: session.ip,
    authMethods: session.authMethods,
    assurance: session.assurance,
    signInProvider: session.signInProvider,
    authenticatedAt: session.authenticatedAt.toISOString(),
    deviceBound: session.deviceBound,
  };
}

export function toAdminSessionView(session: SessionRecord, user: AdminSessionView['user'], label?: DeviceLabel): AdminSessionView {
  const { isCurrent: _isCurrent, ...view } = toSessionView(session, { currentSid: null, label });
  return { ...view, user };
}

/** The current session as `/api/auth/me` reports it, from the loaded session alone (no extra read). */
export function sessionSummary(req: Request, store: Pick<GatehouseSessionStore, 'expiresAt'>): SessionSummary {
  const data = req.session as Partial<SessionData> & { lastModified?: Date };
  const now = Date.now();
  const createdAt = data.createdAt ?? now;
  const absoluteExpiresAt = data.absoluteExpiresAt ?? now;
  const lastActiveAt = data.lastModified instanceof Date ? data.lastModified.getTime() : now;
  const idleExpiresAt = store.expiresAt(data, lastActiveAt).getTime();
  return {
    createdAt: new Date(createdAt).toISOString(),
    lastActiveAt: new Date(lastActiveAt).toISOString(),
    expiresAt: new Date(Math.min(idleExpiresAt, absoluteExpiresAt)).toISOString(),
    idleExpiresAt: new Date(idleExpiresAt).toISOString(),
    absoluteExpiresAt: new Date(absoluteExpiresAt).toISOString(),
    rememberMe: data.rememberMe ?? false,
    authenticatedAt: new Date(data.authenticatedAt ?? createdAt).toISOString(),
    assurance: data.assurance ?? assuranceOf(data.authMethods ?? []),
  };
}
