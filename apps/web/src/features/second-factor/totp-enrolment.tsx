import { useState, type FormEvent } from 'react';
import { useMutation } from '@tanstack/react-query';
import { QRCodeSVG } from 'qrcode.react';
import type { TotpEnrolmentResponse } from '@gatehouse/types/second-factor';
import { TextField } from '../../components/text-field';
import { FormAlert } from '../../components/form-alert';
import { formText } from '../../lib/form-errors';
import { commonMessages } from '../../messages/common';
import { secondFactorApi } from './second-factor-queries';
import { secondFactorMessages as TEXT } from '../../messages/second-factor';
import { describeSecondFactorError } from './second-factor-errors';

/** Step two of the set-up: the secret as a QR code, as text and as a link, and the first code that turns it on. */
export function TotpEnrolment({
  enrolment,
  onConfirmed,
  onCancel,
}: {
  enrolment: TotpEnrolmentResponse;
  onConfirmed: (recoveryCodes: string[]) => unknown;
  onCancel: () => void;
}) {
  const [codeError, setCodeError] = useState<string | undefined>();
  const confirm = useMutation({ mutationFn: secondFactorApi.confirmTotp, onSuccess: ({ recoveryCodes }) => onConfirmed(recoveryCodes) });

  const described = describeSecondFactorError(confirm.error, 'second-factor', ['code']);

  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const code = formText(new FormData(event.currentTarget), 'code').trim();
    setCodeError(code ? undefined : TEXT.confirmCodeMissing);
    if (code) confirm.mutate(code);
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
