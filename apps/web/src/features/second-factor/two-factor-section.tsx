import { useState } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { RecoveryCodesResponse, TotpDisableRequest, TotpEnrolmentResponse } from '@gatehouse/types/second-factor';
import { FormAlert } from '../../components/form-alert';
import { QueryState } from '../../components/query-state';
import { useConfirm } from '../../components/use-confirm';
import { whenIdle } from '../../components/when-idle';
import { DateTime } from '../../lib/time-view';
import { secondFactorMessages as TEXT } from '../../messages/second-factor';
import { activityKeys } from '../activity/activity-queries';
import { authKeys, authQueries } from '../auth/auth-queries';
import { isApiError } from '../../lib/api-client';
import { sessionKeys } from '../sessions/session-queries';
import { useWithReauth } from '../reauth/reauth-context';
import { RecoveryCodes } from './recovery-codes';
import { secondFactorApi, secondFactorKeys, secondFactorQueries } from './second-factor-queries';
import { TotpEnrolment } from './totp-enrolment';
import './second-factor.css';
import { describeSecondFactorError } from './second-factor-errors';
import { confirmFactorChange } from './sign-out-others';
import { ConfirmAddressFirst } from './confirm-address-first';

/** The dashboard's "Two-factor authentication": set up, recovery codes, turn off. */
export function TwoFactorSection() {
  const status = useQuery(secondFactorQueries.status());
  // Unknown counts as confirmed: the API still refuses, and its answer is then shown.
  const isAddressConfirmed = useQuery(authQueries.me()).data?.user.emailVerified !== false;
  const queryClient = useQueryClient();
  const withReauth = useWithReauth();
  const { confirm, dialog } = useConfirm();
  const [enrolment, setEnrolment] = useState<TotpEnrolmentResponse | null>(null);
  const [shownCodes, setShownCodes] = useState<string[] | null>(null);
  const [message, setMessage] = useState('');

  const refresh = ({ haveSessionsEnded = false } = {}) =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: secondFactorKeys.all }),
      queryClient.invalidateQueries({ queryKey: activityKeys.all }),
      haveSessionsEnded ? queryClient.invalidateQueries({ queryKey: sessionKeys.list() }) : null,
    ]);
  const begin = useMutation({
    mutationFn: withReauth(secondFactorApi.beginTotp),
    onSuccess: setEnrolment,
    // This tab thought the address confirmed: ask again, so the section says what to do instead.
    onError: (error) => (isApiError(error, 'email_unverified') ? queryClient.invalidateQueries({ queryKey: authKeys.me() }) : undefined),
  });
  const regenerate = useMutation({
    mutationFn: withReauth(secondFactorApi.regenerateRecoveryCodes),
    onSuccess: async ({ recoveryCodes }: RecoveryCodesResponse) => {
      setShownCodes(recoveryCodes);
      await refresh();
    },
  });
  const disable = useMutation({
    mutationFn: withReauth(secondFactorApi.disableTotp),
    onSuccess: async (_nothing: unknown, { signOutOtherSessions = true }: TotpDisableRequest) => {
      setMessage(TEXT.turnedOff);
      // The API answers 204, without a count: the session list itself shows what ended.
      await refresh({ haveSessionsEnded: signOutOtherSessions });
    },
  });

  const onRegenerate = async () => {
    if (await confirm({ title: TEXT.confirmNewCodesTitle, body: <p>{TEXT.confirmNewCodesBody}</p>, confirmLabel: TEXT.newRecoveryCodes })) regenerate.mutate();
  };
  const onTurnOff = async () => {
    const choice = await confirmFactorChange(confirm, { title: TEXT.confirmTurnOffTitle, body: <p>{TEXT.confirmTurnOffBody}</p>, confirmLabel: TEXT.turnOff });
    if (choice) disable.mutate(choice);
  };

  const totp = status.data?.totp;
  return (
    <section className="card" aria-labelledby="two-factor-title">
      <h2 id="two-factor-title">{TEXT.sectionTitle}</h2>
      {status.data?.isRequiredForAdmin && !totp?.isEnabled ? <p className="alert">{TEXT.requiredForAdmin}</p> : null}
      <p role="status" className="status-message">
        {message}
      </p>
      {shownCodes ? (
        <RecoveryCodes codes={shownCodes} onDone={() => setShownCodes(null)} />
      ) : enrolment ? (
        <TotpEnrolment
          enrolment={enrolment}
          onCancel={() => setEnrolment(null)}
          onConfirmed={async ({ recoveryCodes, endedSessions }) => {
            setEnrolment(null);
            setShownCodes(recoveryCodes);
            setMessage(endedSessions > 0 ? TEXT.endedSessions(endedSessions) : '');
            await refresh({ haveSessionsEnded: endedSessions > 0 });
          }}
        />
      ) : totp ? (
        totp.isEnabled ? (
          <div className="stack">
            <p>
              {TEXT.onLead}{' '}
              {totp.enabledAt ? (
                <span className="muted">
                  ({TEXT.since} <DateTime value={totp.enabledAt} />)
                </span>
              ) : null}
            </p>
            <p>{TEXT.recoveryLeft(status.data?.recoveryCodesLeft ?? 0)}</p>
            <div className="actions">
              <button type="button" className="button" {...whenIdle(regenerate.isPending, () => void onRegenerate())}>
                {TEXT.newRecoveryCodes}
              </button>
              <button type="button" className="button button-danger" {...whenIdle(disable.isPending, () => void onTurnOff())}>
                {TEXT.turnOff}
              </button>
            </div>
          </div>
        ) : (
          <div className="stack">
            <p>{TEXT.offLead}</p>
            {isAddressConfirmed ? (
              <div className="actions">
                <button type="button" className="button button-primary" {...whenIdle(begin.isPending, () => begin.mutate())}>
                  {TEXT.setUp}
                </button>
              </div>
            ) : (
              <ConfirmAddressFirst />
            )}
          </div>
        )
      ) : (
        <QueryState query={status} what={TEXT.status} />
      )}
      <FormAlert message={describeSecondFactorError(begin.error ?? regenerate.error ?? disable.error, 'second-factor').alert} />
      {dialog}
    </section>
  );
}
