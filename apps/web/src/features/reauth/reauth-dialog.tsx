import { lazy, Suspense, useEffect, useRef, useState, type FormEvent } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { ReauthResponse } from '@gatehouse/types/auth';
import { authApi, authKeys } from '../auth/auth-queries';
import { useSessionStatus } from '../auth/session-status-context';
import { checkReauth } from '../auth/auth-form-checks';
import { sessionKeys } from '../sessions/session-queries';
import { TextField } from '../../components/text-field';
import { FormAlert } from '../../components/form-alert';
import { describeError, formText, type FieldErrors } from '../../lib/form-errors';
import { useFocusFirstProblem } from '../../lib/use-focus-first-problem';
import { authMessages } from '../../messages/auth';
import '../../components/dialog.css';

/** Offered only to accounts with passkeys: its code (and WebAuthn's) comes after the dialog's own. */
const PasskeyReauth = lazy(async () => ({ default: (await import('../passkeys/passkey-reauth')).PasskeyReauth }));

/** "Confirm it’s you": the password again before a sensitive action; a new session id on success. */
export function ReauthDialog({ onDone }: { onDone: (confirmed: boolean) => void }) {
  const dialogRef = useRef<HTMLDialogElement>(null);
  const queryClient = useQueryClient();
  const sessionStatus = useSessionStatus();
  const [clientErrors, setClientErrors] = useState<FieldErrors | null>(null);
  const onConfirmed = async (me: ReauthResponse) => {
    queryClient.setQueryData(authKeys.me(), me);
    await queryClient.invalidateQueries({ queryKey: sessionKeys.all });
    onDone(true);
  };
  const reauth = useMutation({
    mutationFn: (password: string) => sessionStatus.whileRotating(() => authApi.reauth(password)),
    onSuccess: onConfirmed,
  });

  // Keyboard users continue where they were once the dialog is gone.
  const [returnFocusTo] = useState(() => (document.activeElement instanceof HTMLElement ? document.activeElement : null));

  useEffect(() => {
    const dialog = dialogRef.current;
    if (!dialog) return;
    if (typeof dialog.showModal === 'function') dialog.showModal();
    else dialog.setAttribute('open', '');
    return () => {
      if (typeof dialog.close === 'function') dialog.close();
      else dialog.removeAttribute('open');
      if (returnFocusTo?.isConnected) returnFocusTo.focus();
    };
  }, [returnFocusTo]);

  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const { data, errors } = checkReauth({ password: formText(form, 'password') });
    setClientErrors(errors);
    if (data) reauth.mutate(data.password);
    else reauth.reset();
  };
  useFocusFirstProblem(dialogRef, clientErrors ?? reauth.error);

  const { alert, fields } = clientErrors ? { alert: null, fields: clientErrors } : describeError(reauth.error, 'reauth', ['password']);

  return (
    <dialog
      ref={dialogRef}
      className="dialog"
      aria-labelledby="reauth-title"
      aria-describedby="reauth-description"
      onCancel={(event) => {
        event.preventDefault();
        onDone(false);
      }}
    >
      <form onSubmit={onSubmit} noValidate className="stack">
        <h2 id="reauth-title">Confirm it’s you</h2>
        <p id="reauth-description">{authMessages.reauthDescription}</p>
        <TextField label="Password" name="password" type="password" autoComplete="current-password" required autoFocus error={fields.password} />
        <FormAlert message={alert} />
        <div className="actions">
          <button type="submit" className="button button-primary" disabled={reauth.isPending}>
            {reauth.isPending ? 'Confirming…' : 'Confirm'}
          </button>
          <button type="button" className="button" onClick={() => onDone(false)}>
            Cancel
          </button>
        </div>
        <Suspense>
          <PasskeyReauth onConfirmed={onConfirmed} />
        </Suspense>
      </form>
    </dialog>
  );
}
