import { useState, type FormEvent } from 'react';
import { useMutation } from '@tanstack/react-query';
import type { SecondFactorMethod } from '@gatehouse/types/second-factor';
import { TextField } from '../../components/text-field';
import { FormAlert } from '../../components/form-alert';
import { formText } from '../../lib/form-errors';
import { passkeyMessages } from '../../messages/passkeys';
import { authApi } from '../auth/auth-queries';
import { loadWebAuthn, passkeyErrorMessage } from '../passkeys/load-webauthn';
import { secondFactorApi } from './second-factor-queries';
import { secondFactorMessages as TEXT } from '../../messages/second-factor';
import { describeSecondFactorError } from './second-factor-errors';
import SessionLimitChoice from '../session-limit/session-limit-choice';

interface SecondFactorStepProps {
  methods: SecondFactorMethod[];
  onSignedIn: () => unknown;
  /** Back to the password form; the pending sign-in is dropped. */
  onCancel: () => void;
}

/** The second step of a password sign-in: an authenticator-app or recovery code, or a passkey. */
export default function SecondFactorStep({ methods, onSignedIn, onCancel }: SecondFactorStepProps) {
  const [codeError, setCodeError] = useState<string | undefined>();
  const hasCodes = methods.includes('totp');
  const hasPasskey = methods.includes('passkey');
  const withCode = useMutation({ mutationFn: (code: string) => secondFactorApi.completeSignIn({ code }), onSuccess: onSignedIn });
  const withPasskey = useMutation({ mutationFn: async () => (await loadWebAuthn()).completeSignInWithPasskey(), onSuccess: onSignedIn });
  const cancel = useMutation({ mutationFn: authApi.logout, onSettled: onCancel });

  const described = describeSecondFactorError(withCode.error, 'second-factor', ['code']);

  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const code = formText(new FormData(event.currentTarget), 'code').trim();
    setCodeError(code ? undefined : TEXT.codeMissing);
    if (code) withCode.mutate(code);
  };

  return (
    <div className="card narrow stack">
      <title>Two-step sign-in · Gatehouse</title>
      <h1>{TEXT.stepTitle}</h1>
      {hasCodes ? (
        <form onSubmit={onSubmit} noValidate className="stack">
          <p>{TEXT.stepLead}</p>
          <TextField
            label={TEXT.codeLabel}
            name="code"
            autoComplete="one-time-code"
            autoCapitalize="none"
            spellCheck={false}
            required
            autoFocus
            error={codeError ?? described.fields.code}
          />
          <FormAlert message={described.alert} />
          <button type="submit" className="button button-primary" disabled={withCode.isPending}>
            {TEXT.verify}
          </button>
        </form>
      ) : (
        <p>{TEXT.stepPasskeyLead}</p>
      )}
      {hasPasskey ? (
        <div className="stack">
          <button type="button" className={hasCodes ? 'button' : 'button button-primary'} disabled={withPasskey.isPending} onClick={() => withPasskey.mutate()}>
            {passkeyMessages.usePasskey}
          </button>
          <FormAlert message={passkeyErrorMessage(withPasskey.error)} />
        </div>
      ) : null}
      {/* After the second factor, an account at its session cap (refuse policy) chooses a session to end. */}
      <SessionLimitChoice error={withCode.error ?? withPasskey.error} onSignedIn={onSignedIn} onSecondStep={() => undefined} />
      <p className="form-footer">
        <button type="button" className="button" onClick={() => cancel.mutate()}>
          {TEXT.backToSignIn}
        </button>
      </p>
    </div>
  );
}
