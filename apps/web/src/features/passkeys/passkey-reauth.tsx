import { useMutation, useQuery } from '@tanstack/react-query';
import type { PasskeyReauthResponse } from '@gatehouse/types/passkeys';
import { FormAlert } from '../../components/form-alert';
import { useSessionStatus } from '../auth/session-status-context';
import { loadWebAuthn, passkeyErrorMessage } from './load-webauthn';
import { passkeyMessages } from '../../messages/passkeys';
import { passkeyQueries } from './passkey-queries';

/** In the "Confirm it's you" dialog: one of the account's passkeys instead of the password. Nothing when it has none. */
export function PasskeyReauth({ onConfirmed }: { onConfirmed: (me: PasskeyReauthResponse) => unknown }) {
  const passkeys = useQuery(passkeyQueries.list());
  const sessionStatus = useSessionStatus();
  // The session id changes on success: the status tracker must not read the old cookie's 401 as a sign-out.
  const reauth = useMutation({ mutationFn: () => sessionStatus.whileRotating(async () => (await loadWebAuthn()).reauthWithPasskey()), onSuccess: onConfirmed });
  if (!passkeys.data || passkeys.data.passkeys.length === 0) return null;
  return (
    <div className="stack">
      <button type="button" className="button" disabled={reauth.isPending} onClick={() => reauth.mutate()}>
        {passkeyMessages.usePasskey}
      </button>
      <FormAlert message={passkeyErrorMessage(reauth.error)} />
    </div>
  );
}
