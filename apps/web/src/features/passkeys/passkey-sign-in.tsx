import { useEffect } from 'react';
import { useMutation } from '@tanstack/react-query';
import type { PasskeyLoginResponse } from '@gatehouse/types/passkeys';
import { FormAlert } from '../../components/form-alert';
import { passkeyMessages } from '../../messages/passkeys';
import { isCeremonyCancelled, loadWebAuthn, passkeyErrorMessage } from './load-webauthn';

/**
 * "Sign in with a passkey" on the sign-in page, and the same offer in the email field's autofill where
 * the browser supports it (conditional mediation). Neither needs the password; the passkey code is
 * fetched only once the page has shown.
 */
export function PasskeySignIn({ isRememberMe, onSignedIn }: { isRememberMe: () => boolean; onSignedIn: (response: PasskeyLoginResponse) => unknown }) {
  const signIn = useMutation({
    mutationFn: async () => {
      const client = await loadWebAuthn();
      // A waiting autofill request would hold the authenticator: the button's request replaces it.
      client.cancelPasskeyRequest();
      return client.signInWithPasskey({ rememberMe: isRememberMe() });
    },
    onSuccess: onSignedIn,
  });

  useEffect(() => {
    let isActive = true;
    let client: Awaited<ReturnType<typeof loadWebAuthn>> | null = null;
    const offerInAutofill = async () => {
      client = await loadWebAuthn();
      if (!isActive || !(await client.supportsAutofill()) || !isActive) return;
      const response = await client.signInWithPasskey({ rememberMe: isRememberMe(), useBrowserAutofill: true });
      if (isActive) await onSignedIn(response);
    };
    offerInAutofill().catch((error: unknown) => {
      // Cancelled when the button or leaving the page ended it; anything else, the button still works.
      if (!isCeremonyCancelled(error)) console.warn('passkey autofill unavailable', error);
    });
    return () => {
      isActive = false;
      client?.cancelPasskeyRequest();
    };
    // Offered once per visit of the page.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  return (
    <div className="stack">
      <button type="button" className="button" disabled={signIn.isPending} onClick={() => signIn.mutate()}>
        {passkeyMessages.signIn}
      </button>
      <FormAlert message={passkeyErrorMessage(signIn.error)} />
    </div>
  );
}
