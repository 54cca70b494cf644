import { lazy, Suspense, useEffect, useRef, useState, type FormEvent } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { ReauthRequest, ReauthResponse } from '@gatehouse/types/auth';
import { authApi, authKeys } from '../auth/auth-queries';
import { useSessionStatus } from '../auth/session-status-context';
import { sessionKeys } from '../sessions/session-queries';
import { TextField } from '../../components/text-field';
import { FormAlert } from '../../components/form-alert';
import { isApiError } from '../../lib/api-client';
import { describeError, formText, type ErrorDescription, type FieldErrors } from '../../lib/form-errors';
import { useFocusFirstProblem } from '../../lib/use-focus-first-problem';
import { authMessages } from '../../messages/auth';
import { secondFactorErrorTexts, secondFactorMessages } from '../../messages/second-factor';
import { checkReauth } from './reauth-form-checks';
import '../../components/dialog.css';

/** Offered only to accounts with passkeys: its code (and WebAuthn's) comes after the dialog's own. */
const PasskeyReauth = lazy(async () => ({ default: (await import('../passkeys/passkey-reauth')).PasskeyReauth }));
/** Offered only to accounts with a connected provider, likewise. */
const OidcReauth = lazy(() => import('../oidc/oidc-reauth'));

const FIELDS = ['password', 'code'];

/**
 * The API's answer in the dialog's words. Being asked for a code is the next step, not a failure: the
 * code field appearing says it. A wrong code belongs to that field.
 */
function describeReauthError(error: unknown): ErrorDescription {
  if (isApiError(error, 'second_factor_required')) return { alert: null, fields: {} };
  if (isApiError(error, 'invalid_code')) return { alert: null, fields: { code: secondFactorErrorTexts.invalid_code } };
  return describeError(error, 'reauth', FIELDS);
}

/**
 * "Confirm it’s you": the password again before a sensitive action, and on an account with an
 * authenticator app its code too (asked for once the API says so); a new session id on success.
 */
export function ReauthDialog({ onDone }: { onDone: (confirmed: boolean) => void }) {
  const dialogRef = useRef<HTMLDialogElement>(null);
  const queryClient = useQueryClient();
  const sessionStatus = useSessionStatus();
  const [clientErrors, setClientErrors] = useState<FieldErrors | null>(null);
  const [isCodeNeeded, setIsCodeNeeded] = useState(false);
  const onConfirmed = async (me: ReauthResponse) => {
    queryClient.setQueryData(authKeys.me(), me);
    await queryClient.invalidateQueries({ queryKey: sessionKeys.all });
    onDone(true);
  };
  const reauth = useMutation({
    mutationFn: (body: ReauthRequest) => sessionStatus.whileRotating(() => authApi.reauth(body)),
    onSuccess: onConfirmed,
    onError: (error) => {
      if (isApiError(error, 'second_factor_required')) setIsCodeNeeded(true);
    },
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
    const password = formText(form, 'password');
    const { data, errors } = checkReauth(isCodeNeeded ? { password, code: formText(form, 'code') } : { password });
    setClientErrors(errors);
    if (data) reauth.mutate(data);
    else reauth.reset();
  };
  useFocusFirstProblem(dialogRef, clientErrors ?? (isApiError(reauth.error, 'second_factor_required') ? null : reauth.error));

  const { alert, fields } = clientErrors ? { alert: null, fields: clientErrors } : describeReauthError(reauth.error);

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
        <p id="reauth-description">{isCodeNeeded ? authMessages.reauthCodeDescription : authMessages.reauthDescription}</p>
        <TextField label="Password" name="password" type="password" autoComplete="current-password" required autoFocus error={fields.password} />
        {isCodeNeeded ? (
          // Mounted once the API asked for it: autoFocus then takes the person straight to it.
          <TextField
            label={secondFactorMessages.codeLabel}
            name="code"
            autoComplete="one-time-code"
            autoCapitalize="none"
            spellCheck={false}
            required
            autoFocus
            error={fields.code}
          />
        ) : null}
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
          <OidcReauth />
        </Suspense>
      </form>
    </dialog>
  );
}
