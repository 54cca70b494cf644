import { useRef, useState, type FormEvent } from 'react';
import { useMutation } from '@tanstack/react-query';
import type { ChangeEmailRequest } from '@gatehouse/types/email';
import { TextField } from '../../components/text-field';
import { FormAlert } from '../../components/form-alert';
import { describeError, formText, type FieldErrors } from '../../lib/form-errors';
import { useFocusFirstProblem } from '../../lib/use-focus-first-problem';
import { verificationMessages } from '../../messages/recovery';
import { useWithReauth } from '../reauth/reauth-context';
import { checkEmailOnly } from '../auth/guest-form-checks';
import { verificationApi } from './verification-api';

/** Needs a recent password (the dialog asks); the new address applies once its link is followed. */
export function ChangeEmailForm() {
  const withReauth = useWithReauth();
  const formRef = useRef<HTMLFormElement>(null);
  const [clientErrors, setClientErrors] = useState<FieldErrors | null>(null);
  const change = useMutation({ mutationFn: withReauth((body: ChangeEmailRequest) => verificationApi.changeEmail(body)) });
  useFocusFirstProblem(formRef, clientErrors ?? change.error);

  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (change.isPending) return;
    const { data, errors } = checkEmailOnly(formText(new FormData(event.currentTarget), 'email'));
    setClientErrors(errors);
    if (data) change.mutate(data);
    else change.reset();
  };

  if (change.data) {
    return (
      <div className="stack-small">
        <p role="status" className="status-message">
          {change.data.message}
        </p>
        <p>
          <button type="button" className="button" onClick={() => change.reset()}>
            {verificationMessages.sendAnother}
          </button>
        </p>
      </div>
    );
  }
  const { alert, fields } = clientErrors ? { alert: null, fields: clientErrors } : describeError(change.error, 'change-email', ['email']);
  return (
    <form ref={formRef} onSubmit={onSubmit} noValidate className="stack-small">
      <TextField label="New email" name="email" type="email" autoComplete="email" required error={fields.email} />
      <FormAlert message={alert} />
      <p>
        <button type="submit" className="button button-primary" aria-disabled={change.isPending ? true : undefined}>
          Send confirmation link
        </button>
      </p>
    </form>
  );
}
