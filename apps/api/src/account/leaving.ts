import { ACCOUNT_EXPORT_ACTIVITY_LIMIT } from '@gatehouse/types/account';
import type { AccountExport } from '@gatehouse/types/account';
import type { ActivityLog } from '../activity/activity-log';
import type { KnownDevices } from '../devices/known-devices';
import type { Places } from '../location/places';
import type { OidcFlows } from '../oidc/flows';
import type { OidcIdentities } from '../oidc/identities';
import type { ProviderClients } from '../oidc/provider-clients';
import type { Challenges } from '../passkeys/challenges';
import type { PasskeyStore } from '../passkeys/passkey-store';
import type { SecondFactors } from '../second-factor/second-factors';
import type { AccountSource, SessionRegistry } from '../sessions/registry';
import { toSessionView } from '../sessions/views';
import type { CounterOwner } from '../throttle/attempt-budget';
import type { AccountTokens } from '../tokens/account-tokens';
import type { UserDirectory } from '../users/directory';

export interface AccountLeavingDeps {
  accounts: Pick<AccountSource, 'load'>;
  users: Pick<UserDirectory, 'hasPassword' | 'remove'>;
  registry: Pick<SessionRegistry, 'listForUser' | 'endAccountSessions' | 'forgetAccount'>;
  activity: Pick<ActivityLog, 'listForUser' | 'record' | 'anonymiseUser'>;
  devices: Pick<KnownDevices, 'labels' | 'labelKey' | 'listForUser' | 'removeAllForUser'>;
  places: Pick<Places, 'locate'>;
  secondFactors: Pick<SecondFactors, 'status' | 'removeAll'>;
  passkeys: Pick<PasskeyStore, 'listForUser' | 'removeAllForUser'>;
  challenges: Pick<Challenges, 'removeForUser'>;
  identities: Pick<OidcIdentities, 'listForUser' | 'unlinkAll'>;
  flows: Pick<OidcFlows, 'removeForUser'>;
  providerNames: Pick<ProviderClients, 'nameOf'>;
  tokens: Pick<AccountTokens, 'revokeAll'>;
  /** Sign-in, code and mail throttles: their counters name accounts by id or address. */
  throttles: { forget(owner: CounterOwner): Promise<number> }[];
}

/** What went when an account was deleted, per collection (the tests and the log line read it). */
export interface DeletionReport {
  sessions: number;
  lateSessions: number;
  secondFactors: number;
  passkeys: number;
  challenges: number;
  knownDevices: number;
  connections: number;
  providerTrips: number;
  throttleCounters: number;
  activityAnonymised: number;
}

export type AccountLeaving = ReturnType<typeof createAccountLeaving>;

/** Leaving: taking one's data (export) and deleting the account with everything that names it. */
export function createAccountLeaving(deps: AccountLeavingDeps) {
  const { accounts, users, registry, activity, devices, places, secondFactors, passkeys, challenges, identities, flows, providerNames, tokens, throttles } =
    deps;

  return {
    /** Everything the account's owner may see of it, without a secret among it; null when it is gone. */
    async exportFor(userId: string, currentSid: string): Promise<AccountExport | null> {
      const [account, hasPassword, totp, sessions, events, knownDevices, passkeyViews, connections] = await Promise.all([
        accounts.load(userId),
        users.hasPassword(userId),
        secondFactors.status(userId),
        registry.listForUser(userId),
        activity.listForUser(userId, ACCOUNT_EXPORT_ACTIVITY_LIMIT + 1),
        devices.listForUser(userId),
        passkeys.listForUser(userId),
        identities.listForUser(userId),
      ]);
      if (!account) return null;
      const [labels, locations] = await Promise.all([
        devices.labels(sessions.map((session) => ({ userId, deviceKey: session.deviceKey }))),
        Promise.all(sessions.map((session) => places.locate(session.ip))),
      ]);
      const { id: _id, ...user } = account.user;
      return {
        exportedAt: new Date().toISOString(),
        account: { ...user, hasPassword, hasAuthenticatorApp: totp.isEnabled, recoveryCodesLeft: totp.recoveryCodesLeft },
        sessions: sessions.map((session, index) => {
          const { handle: _handle, ...view } = toSessionView(session, {
            currentSid,
            label: labels.get(devices.labelKey(userId, session.deviceKey)),
            location: locations[index] ?? null,
          });
          return view;
        }),
        activity: events.slice(0, ACCOUNT_EXPORT_ACTIVITY_LIMIT).map(({ id: _eventId, ...event }) => event),
        activityTruncated: events.length > ACCOUNT_EXPORT_ACTIVITY_LIMIT,
        knownDevices: knownDevices.map((device) => ({
          ...device,
          firstSeenAt: device.firstSeenAt.toISOString(),
          lastSeenAt: device.lastSeenAt.toISOString(),
        })),
        passkeys: passkeyViews.map(({ name, createdAt, lastUsedAt, isSynced }) => ({ name, createdAt, lastUsedAt, isSynced })),
        connectedProviders: connections.map((connection) => ({
          name: providerNames.nameOf(connection.provider),
          email: connection.email,
          connectedAt: connection.connectedAt.toISOString(),
        })),
      };
    },

    /**
     * Deletes the account. Race-proofing (S31): ending its sessions moves the account version on first,
     * so a sign-in that proved itself before finds a changed (then missing) account after its insert and
     * takes its session back; one that inserted earlier is ended with the rest. Once the account document
     * is gone no proof can succeed, and a last sweep removes anything inserted in between. Activity is
     * anonymised last, so the endings recorded on the way are anonymised with the rest.
     */
    async deleteAccount({ userId, email }: CounterOwner): Promise<DeletionReport> {
      // Other tabs are told their session was revoked by its owner, which it was (the deletion records why).
      const sessions = await registry.endAccountSessions(userId, { reason: 'revoked', actor: 'self' });
      await users.remove(userId);
      const lateSessions = await registry.forgetAccount(userId);
      const [removedFactors, removedPasskeys, removedChallenges, removedDevices, removedConnections, removedTrips] = await Promise.all([
        secondFactors.removeAll(userId),
        passkeys.removeAllForUser(userId),
        challenges.removeForUser(userId),
        devices.removeAllForUser(userId),
        identities.unlinkAll(userId),
        flows.removeForUser(userId),
        // Reset, verification and address-change links mailed and not yet followed.
        tokens.revokeAll(userId),
      ]);
      let throttleCounters = 0;
      for (const throttle of throttles) throttleCounters += await throttle.forget({ userId, email });
      await activity.record({ userId, type: 'account_deleted' });
      const activityAnonymised = await activity.anonymiseUser(userId);
      return {
        sessions,
        lateSessions,
        secondFactors: removedFactors,
        passkeys: removedPasskeys,
        challenges: removedChallenges,
        knownDevices: removedDevices,
        connections: removedConnections,
        providerTrips: removedTrips,
        throttleCounters,
        activityAnonymised,
      };
    },
  };
}
