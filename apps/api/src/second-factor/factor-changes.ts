import { factorNeedsVerifiedEmail, unauthenticated } from '../http/errors';
import type { AccountSource, SessionRegistry } from '../sessions/registry';
import type { SignedInUser } from '../sessions/signed-in';

export interface FactorChanges {
  /** 403 `email_unverified` until the account's address is confirmed: factors are added to proven accounts only (S43). */
  requireVerifiedEmail(userId: string): Promise<void>;
  /** After a factor was added or removed: every other session ends when the person kept "Sign out your other sessions" checked. */
  afterChange(person: SignedInUser, { signOutOtherSessions }: { signOutOtherSessions: boolean }): Promise<number>;
}

/** What adding or removing an authenticator app or a passkey asks of the account and its sessions. */
export function createFactorChanges({
  accounts,
  registry,
}: {
  accounts: Pick<AccountSource, 'load'>;
  registry: Pick<SessionRegistry, 'endAccountSessions'>;
}): FactorChanges {
  return {
    async requireVerifiedEmail(userId) {
      // Read from the account, not the session's copy: the rule is about the address as it is now.
      const account = await accounts.load(userId);
      if (!account) throw unauthenticated();
      if (!account.user.emailVerified) throw factorNeedsVerifiedEmail();
    },

    async afterChange(person, { signOutOtherSessions }) {
      if (!signOutOtherSessions) return 0;
      return registry.endAccountSessions(person.userId, { reason: 'revoked', actor: 'self' }, { exceptSid: person.sid });
    },
  };
}
