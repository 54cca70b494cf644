import { lazy, Suspense, useCallback, useEffect, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { ReauthResponse } from '@gatehouse/types/auth';
import { authApi, authKeys } from '../auth/auth-queries';
import { useSessionStatus } from '../auth/session-status-context';
import { checkReauth } from '../auth/auth-form-checks';
import { sessionKeys } from '../sessions/session-queries';
import { TextField } from '../../components/text-field';
import { FormAlert } from '../../components/form-alert';
import { fieldErrorsOf, formErrorMessage, formText, type FieldErrors } from '../../lib/form-errors';
import { ReauthContext } from './reauth-context';

/** Offered only to accounts with passkeys; its code is not part of every page. */
const PasskeyReauth = lazy(() => import('../passkeys/passkey-reauth'));

export function ReauthProvider({ children }: { children: ReactNode }) {
  const [pending, setPending] = useState<{ resolve: (confirmed: boolean) => void } | null>(null);
  const queueRef = useRef<Promise<boolean> | null>(null);

  const requestReauth = useCallback(() => {
    // Several actions failing at once share one dialog and one answer.
    queueRef.current ??= new Promise<boolean>((resolve) => {
      setPending({
        resolve: (confirmed) => {
          queueRef.current = null;
          setPending(null);
          resolve(confirmed);
        },
      });
    });
    return queueRef.current;
  }, []);

  return (
    <ReauthContext value={requestReauth}>
      {children}
      {pending ? <ReauthDialog onDone={pending.resolve} /> : null}
    </ReauthContext>
  );
}

function ReauthDialog({ onDone }: { onDone: (confirmed: boolean) => void }) {
  const dialogRef = useRef<HTMLDialogElement>(null);
  const queryClient = useQueryClient();
  const sessionStatus = useSessionStatus();
  const [clientErrors, setClientErrors] = useState<FieldErrors>({});
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
    setClientErrors(errors ?? {});
    if (data) reauth.mutate(data.password);
  };

  const fieldErrors = { ...fieldErrorsOf(reauth.error), ...clientErrors };
  const alert = reauth.error && !fieldErrors.password ? formErrorMessage(reauth.error) : null;

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
        <p id="reauth-description">This action needs your password again.</p>
        <TextField
          label="Password"
          name="password"
          type="password"
          autoComplete="current-password"
          required
          autoFocus
          error={fieldErrors.password}
        />
        <FormAlert message={alert} />
        <div className="actions">
          <button type="submit" className="button button-primary" disabled={reauth.isPending}>
            {reauth.isPending ? 'Confirming…' : 'Confirm'}
          </button>
          <button type="button" className="button" onClick={() => onDone(false)}>
            Cancel
          </button>
        </div>
        <Suspense fallback={null}>
          <PasskeyReauth onConfirmed={onConfirmed} />
        </Suspense>
      </form>
    </dialog>
  );
}
