import { useState, type FormEvent } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { AddPasskeyResponse, PasskeyView } from '@gatehouse/types/passkeys';
import { FormAlert } from '../../components/form-alert';
import { QueryState } from '../../components/query-state';
import { TextField } from '../../components/text-field';
import { useConfirm } from '../../components/use-confirm';
import { whenIdle } from '../../components/when-idle';
import { formText } from '../../lib/form-errors';
import { DateTime } from '../../lib/time-view';
import { describeDevice } from '../../lib/device';
import { commonMessages } from '../../messages/common';
import { passkeyMessages as TEXT } from '../../messages/passkeys';
import { activityKeys } from '../activity/activity-queries';
import { authKeys, authQueries } from '../auth/auth-queries';
import { isApiError } from '../../lib/api-client';
import { ConfirmAddressFirst } from '../second-factor/confirm-address-first';
import { useWithReauth } from '../reauth/reauth-context';
import { secondFactorKeys } from '../second-factor/second-factor-queries';
import { confirmFactorChange, SIGN_OUT_OTHERS_FIELD, SignOutOthersCheckbox } from '../second-factor/sign-out-others';
import { sessionKeys } from '../sessions/session-queries';
import { secondFactorMessages } from '../../messages/second-factor';
import { loadWebAuthn, passkeyErrorMessage } from './load-webauthn';
import { passkeyApi, passkeyKeys, passkeyQueries } from './passkey-queries';
import '../second-factor/second-factor.css';
import { describeSecondFactorError } from '../second-factor/second-factor-errors';

/** A name to start from: the browser and system this passkey is being made on. */
function suggestedName(): string {
  const ua = navigator.userAgent;
  const browser = /Edg\//.test(ua) ? 'Edge' : /Firefox\//.test(ua) ? 'Firefox' : /Chrome\//.test(ua) ? 'Chrome' : /Safari\//.test(ua) ? 'Safari' : null;
  const system = /Android/.test(ua)
    ? 'Android'
    : /iPhone|iPad/.test(ua)
      ? 'iOS'
      : /Mac OS X/.test(ua)
        ? 'macOS'
        : /Windows/.test(ua)
          ? 'Windows'
          : /Linux/.test(ua)
            ? 'Linux'
            : null;
  return describeDevice({ browser, os: system, platform: null });
}

interface PasskeyRemoval {
  passkey: PasskeyView;
  signOutOtherSessions: boolean;
}

/** "Passkey added." and, when the change ended other sessions, how many. */
function withEndedSessions(message: string, endedSessions: number): string {
  return endedSessions > 0 ? `${message} ${secondFactorMessages.endedSessions(endedSessions)}` : message;
}

/** The dashboard's "Passkeys": add (named), rename, remove. Adding and removing ask who you are first if it has been a while. */
export function PasskeysSection() {
  const list = useQuery(passkeyQueries.list());
  // Unknown counts as confirmed: the API still refuses, and its answer is then shown.
  const isAddressConfirmed = useQuery(authQueries.me()).data?.user.emailVerified !== false;
  const queryClient = useQueryClient();
  const withReauth = useWithReauth();
  const { confirm, dialog } = useConfirm();
  const [message, setMessage] = useState('');

  const refresh = ({ haveSessionsEnded = false } = {}) =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: passkeyKeys.all }),
      queryClient.invalidateQueries({ queryKey: secondFactorKeys.all }),
      queryClient.invalidateQueries({ queryKey: activityKeys.all }),
      haveSessionsEnded ? queryClient.invalidateQueries({ queryKey: sessionKeys.list() }) : null,
    ]);
  const add = useMutation({
    mutationFn: withReauth(async (request: { name: string; signOutOtherSessions: boolean }) => (await loadWebAuthn()).createPasskey(request)),
    onSuccess: async ({ passkey, endedSessions }: AddPasskeyResponse) => {
      setMessage(withEndedSessions(TEXT.added(passkey.name), endedSessions));
      await refresh({ haveSessionsEnded: endedSessions > 0 });
    },
    // This tab thought the address confirmed: ask again, so the section says what to do instead.
    onError: (error) => (isApiError(error, 'email_unverified') ? queryClient.invalidateQueries({ queryKey: authKeys.me() }) : undefined),
  });
  const remove = useMutation({
    mutationFn: withReauth(async (request: PasskeyRemoval) => {
      await passkeyApi.remove(request.passkey.id, { signOutOtherSessions: request.signOutOtherSessions });
      return request;
    }),
    onSuccess: async ({ passkey, signOutOtherSessions }: PasskeyRemoval) => {
      setMessage(TEXT.removed(passkey.name));
      // The API answers 204, without a count: the session list itself shows what ended.
      await refresh({ haveSessionsEnded: signOutOtherSessions });
    },
  });

  const onAdd = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const name = formText(form, 'name').trim();
    add.mutate({ name: name || suggestedName(), signOutOtherSessions: form.get(SIGN_OUT_OTHERS_FIELD) === 'on' });
  };
  const onRemove = async (passkey: PasskeyView) => {
    const choice = await confirmFactorChange(confirm, {
      title: TEXT.confirmRemoveTitle(passkey.name),
      body: <p>{TEXT.confirmRemoveBody}</p>,
      confirmLabel: TEXT.remove,
    });
    if (choice) remove.mutate({ passkey, ...choice });
  };

  return (
    <section className="card" aria-labelledby="passkeys-title">
      <h2 id="passkeys-title">{TEXT.sectionTitle}</h2>
      <p>{TEXT.lead}</p>
      <p role="status" className="status-message">
        {message}
      </p>
      {list.data ? (
        list.data.passkeys.length === 0 ? (
          <p className="muted">{TEXT.none}</p>
        ) : (
          <ul className="passkey-list" aria-label={TEXT.listLabel}>
            {list.data.passkeys.map((passkey) => (
              <PasskeyItem key={passkey.id} passkey={passkey} isBusy={remove.isPending} onRemove={() => void onRemove(passkey)} onRenamed={refresh} />
            ))}
          </ul>
        )
      ) : (
        <QueryState query={list} what={TEXT.list} />
      )}
      {isAddressConfirmed ? (
        <form onSubmit={onAdd} noValidate className="stack">
          <TextField label={TEXT.nameLabel} name="name" hint={TEXT.nameHint} maxLength={60} placeholder={suggestedName()} />
          <SignOutOthersCheckbox />
          <div className="actions">
            <button type="submit" className="button button-primary" disabled={add.isPending}>
              {TEXT.add}
            </button>
          </div>
        </form>
      ) : (
        <ConfirmAddressFirst />
      )}
      <FormAlert
        message={
          isApiError(add.error, 'email_unverified')
            ? describeSecondFactorError(add.error, 'passkey').alert
            : (passkeyErrorMessage(add.error) ?? describeSecondFactorError(remove.error, 'passkey').alert)
        }
      />
      {dialog}
    </section>
  );
}

function PasskeyItem({ passkey, isBusy, onRemove, onRenamed }: { passkey: PasskeyView; isBusy: boolean; onRemove: () => void; onRenamed: () => unknown }) {
  const [isRenaming, setIsRenaming] = useState(false);
  const rename = useMutation({
    mutationFn: (name: string) => passkeyApi.rename(passkey.id, name),
    onSuccess: async () => {
      setIsRenaming(false);
      await onRenamed();
    },
  });
  const described = describeSecondFactorError(rename.error, 'passkey', ['name']);

  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    rename.mutate(formText(new FormData(event.currentTarget), 'name'));
  };

  return (
    <li className="passkey-item">
      {isRenaming ? (
        <form onSubmit={onSubmit} noValidate className="stack">
          <TextField
            label={TEXT.newNameLabel(passkey.name)}
            name="name"
            defaultValue={passkey.name}
            maxLength={60}
            required
            autoFocus
            error={described.fields.name}
          />
          <FormAlert message={described.alert} />
          <div className="actions">
            <button type="submit" className="button button-small button-primary" disabled={rename.isPending}>
              {commonMessages.save}
            </button>
            <button type="button" className="button button-small" onClick={() => setIsRenaming(false)}>
              {commonMessages.cancel}
            </button>
          </div>
        </form>
      ) : (
        <>
          <div>
            <strong>{passkey.name}</strong>
            {passkey.isSynced ? <span className="muted"> · {TEXT.synced}</span> : null}
            <div className="muted">
              {TEXT.added_} <DateTime value={passkey.createdAt} /> · {TEXT.lastUsed} {passkey.lastUsedAt ? <DateTime value={passkey.lastUsedAt} /> : TEXT.never}
            </div>
          </div>
          <div className="actions">
            <button type="button" className="button button-small" aria-label={TEXT.renameLabel(passkey.name)} onClick={() => setIsRenaming(true)}>
              {TEXT.rename}
            </button>
            <button type="button" className="button button-small button-danger" aria-label={TEXT.removeLabel(passkey.name)} {...whenIdle(isBusy, onRemove)}>
              {TEXT.remove}
            </button>
          </div>
        </>
      )}
    </li>
  );
}
