import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { DEVICE_NAME_MAX_LENGTH } from '@gatehouse/types/limits';
import type { SessionView } from '@gatehouse/types/sessions';
import { TextField } from '../../components/text-field';
import { FormAlert } from '../../components/form-alert';
import { describeError, formText, type FieldErrors } from '../../lib/form-errors';
import { useFocusFirstProblem } from '../../lib/use-focus-first-problem';
import { commonMessages } from '../../messages/common';
import { formMessages } from '../../messages/forms';
import { sessionMessages } from '../../messages/sessions';
import { useWithReauth } from '../reauth/reauth-context';
import { sessionApi, sessionKeys } from './session-queries';

/** Names the browser a session runs in. Escape or Cancel leaves the name as it was. */
export default function RenameDeviceForm({ session, onDone }: { session: SessionView; onDone: () => void }) {
  const queryClient = useQueryClient();
  const withReauth = useWithReauth();
  const formRef = useRef<HTMLFormElement>(null);
  const [clientErrors, setClientErrors] = useState<FieldErrors | null>(null);
  const rename = useMutation({
    mutationFn: withReauth(sessionApi.rename),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: sessionKeys.all });
      onDone();
    },
  });
  useFocusFirstProblem(formRef, clientErrors ?? rename.error);

  // Straight into the field, name selected, so typing replaces it.
  useEffect(() => {
    const input = formRef.current?.querySelector('input');
    input?.focus();
    input?.select();
  }, []);

  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (rename.isPending) return;
    const deviceName = formText(new FormData(event.currentTarget), 'deviceName').trim();
    const errors = deviceName.length > DEVICE_NAME_MAX_LENGTH ? { deviceName: formMessages.atMost(DEVICE_NAME_MAX_LENGTH) } : null;
    setClientErrors(errors);
    if (!errors) rename.mutate({ handle: session.handle, deviceName: deviceName === '' ? null : deviceName });
  };

  const { alert, fields } = clientErrors ? { alert: null, fields: clientErrors } : describeError(rename.error, 'rename-device', ['deviceName']);

  return (
    <form
      ref={formRef}
      onSubmit={onSubmit}
      noValidate
      className="stack-small"
      onKeyDown={(event) => {
        if (event.key === 'Escape') onDone();
      }}
    >
      <TextField
        label="Device name"
        name="deviceName"
        defaultValue={session.deviceName ?? ''}
        maxLength={DEVICE_NAME_MAX_LENGTH}
        autoComplete="off"
        hint={sessionMessages.deviceNameHint}
        error={fields.deviceName}
      />
      <FormAlert message={alert} />
      <div className="actions">
        <button type="submit" className="button button-small button-primary" aria-disabled={rename.isPending || undefined}>
          {commonMessages.save}
        </button>
        <button type="button" className="button button-small" onClick={onDone}>
          {commonMessages.cancel}
        </button>
      </div>
    </form>
  );
}
