import type { Request, Response } from 'express';
import type { VerifyEmailResponse } from '@gatehouse/types/email';
import { accountChanged, accountDisabled, invalidToken, signedInAsOther } from '../http/errors';
import { signedInUserOf } from '../sessions/signed-in';
import type { AccountChanges } from '../users/accounts';
import type { SignInAuthority } from './authority';
import { logAuthEvent } from './authority';

export interface EmailLinkSignInDeps {
  authority: Pick<SignInAuthority, 'finish'>;
  accounts: Pick<AccountChanges, 'markEmailVerified'>;
}

export type EmailLinkSignIn = ReturnType<typeof createEmailLinkSignIn>;

/**
 * The address-confirmation link as a way in. It proves the mailbox, one factor: it signs in an account
 * without a second factor (`aal1`), and leaves any other at the second step (S41). It never switches a
 * browser signed in to another account (login CSRF, S44); the first confirmation of an address ends
 * every other session of the account, whoever opened them before the address was proven (S43).
 */
export function createEmailLinkSignIn({ authority, accounts }: EmailLinkSignInDeps) {
  return {
    /** Before the link is used up: a browser signed in to another account is refused, its session untouched. */
    refuseOtherAccount(req: Request, linkUserId: string): void {
      const person = signedInUserOf(req);
      if (person && person.userId !== linkUserId) throw signedInAsOther(person.user.email);
    },

    /**
     * The link is a credential proof (S31): `versionBefore` was read before the link was used up, so a
     * password change, disable or end-all racing it leaves no session behind.
     */
    async confirmAndSignIn(req: Request, res: Response, link: { userId: string; email: string }, versionBefore: number): Promise<VerifyEmailResponse> {
      const person = signedInUserOf(req);
      const keepSid = person?.userId === link.userId ? person.sid : undefined;
      const confirmed = await accounts.markEmailVerified(link.userId, link.email, { keepSid });
      if (!confirmed) throw invalidToken();
      const { account, isFirstConfirmation } = confirmed;
      if (account.isDisabled) throw accountDisabled();
      // A first confirmation moved the version on itself (it ended the other sessions).
      if (account.version !== versionBefore + (isFirstConfirmation ? 1 : 0)) throw accountChanged();
      logAuthEvent(req, 'email_verified', { userId: account.user.id });
      if (keepSid) return { outcome: 'verified', user: account.user, isSignedIn: true, secondFactorRequired: false, methods: [] };

      const outcome = await authority.finish(req, res, account, { authMethods: ['email_link'], rememberMe: false });
      return outcome.kind === 'signed_in'
        ? { outcome: 'verified', user: account.user, isSignedIn: true, secondFactorRequired: false, methods: [] }
        : { outcome: 'verified', user: account.user, isSignedIn: false, secondFactorRequired: true, methods: outcome.methods };
    },
  };
}
