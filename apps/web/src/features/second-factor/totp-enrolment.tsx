import { useState, type FormEvent } from 'react';
import { useMutation } from '@tanstack/react-query';
import { QRCodeSVG } from 'qrcode.react';
import type { TotpConfirmResponse, TotpEnrolmentResponse } from '@gatehouse/types/second-factor';
import { TextField } from '../../components/text-field';
import { FormAlert } from '../../components/form-alert';
import { formText } from '../../lib/form-errors';
import { commonMessages } from '../../messages/common';
import { secondFactorApi } from './second-factor-queries';
import { secondFactorMessages as TEXT } from '../../messages/second-factor';
import { describeSecondFactorError } from './second-factor-errors';
import { SIGN_OUT_OTHERS_FIELD, SignOutOthersCheckbox } from './sign-out-others';

/** Step two of the set-up: the secret as a QR code, as text and as a link, and the first code that turns it on. */
export function TotpEnrolment({
  enrolment,
  onConfirmed,
  onCancel,
}: {
  enrolment: TotpEnrolmentResponse;
  onConfirmed: (result: TotpConfirmResponse) => unknown;
  onCancel: () => void;
}) {
  const [codeError, setCodeError] = useState<string | undefined>();
  const confirm = useMutation({ mutationFn: secondFactorApi.confirmTotp, onSuccess: onConfirmed });

  const described = describeSecondFactorError(confirm.error, 'second-factor', ['code']);

  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const code = formText(form, 'code').trim();
    setCodeError(code ? undefined : TEXT.confirmCodeMissing);
    if (code) confirm.mutate({ code, signOutOtherSessions: form.get(SIGN_OUT_OTHERS_FIELD) === 'on' });
  };

  return (
    <form onSubmit={onSubmit} noValidate className="stack totp-enrolment">
      <p>{TEXT.scan}</p>
      <div className="qr-code">
        <QRCodeSVG value={enrolment.uri} size={176} marginSize={2} title={TEXT.qrTitle} />
      </div>
      <dl className="totp-secret">
        <dt>{TEXT.secretLabel}</dt>
        <dd>
          <code data-testid="totp-secret">{enrolment.secret}</code>
        </dd>
        <dt>{TEXT.uriLabel}</dt>
        <dd>
          <a href={enrolment.uri}>{enrolment.uri}</a>
        </dd>
      </dl>
      <TextField
        label={TEXT.confirmCodeLabel}
        name="code"
        inputMode="numeric"
        autoComplete="one-time-code"
        required
        error={codeError ?? described.fields.code}
      />
      <SignOutOthersCheckbox />
      <FormAlert message={described.alert} />
      <div className="actions">
        <button type="submit" className="button button-primary" disabled={confirm.isPending}>
          {TEXT.confirm}
        </button>
        <button type="button" className="button" onClick={onCancel}>
          {commonMessages.cancel}
        </button>
      </div>
    </form>
  );
}
