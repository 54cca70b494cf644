import { useState, type FormEvent } from 'react';
import { useMutation } from '@tanstack/react-query';
import type { ChangeEmailRequest } from '@gatehouse/types/email';
import { TextField } from '../../components/text-field';
import { FormAlert } from '../../components/form-alert';
import { fieldErrorsOf, formErrorMessage, formText, type FieldErrors } from '../../lib/form-errors';
import { useWithReauth } from '../reauth/reauth-context';
import { checkEmailOnly } from '../recovery/recovery-form-checks';
import { verificationApi } from './verification-api';

/** Needs a recent password (the dialog asks); the new address applies once its link is followed. */
export function ChangeEmailForm({ onDone }: { onDone: () => void }) {
  const withReauth = useWithReauth();
  const [clientErrors, setClientErrors] = useState<FieldErrors | null>(null);
  const change = useMutation({ mutationFn: withReauth((body: ChangeEmailRequest) => verificationApi.changeEmail(body)) });

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
          <button type="button" className="button" onClick={onDone}>
            Done
          </button>
        </p>
      </div>
    );
  }
  const fieldErrors = clientErrors ?? fieldErrorsOf(change.error);
  const alert = clientErrors ? 'Please correct the highlighted fields.' : formErrorMessage(change.error);
  return (
    <form onSubmit={onSubmit} noValidate className="stack-small">
      <TextField label="New email" name="email" type="email" autoComplete="email" required error={fieldErrors.email} />
      <FormAlert message={alert} />
      <div className="actions">
        <button type="submit" className="button button-primary" aria-disabled={change.isPending ? true : undefined}>
          Send confirmation link
        </button>
        <button type="button" className="button" onClick={onDone}>
          Cancel
        </button>
      </div>
    </form>
  );
}
