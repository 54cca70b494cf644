import { useId, useState } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { ConnectionView, OidcRedirectResponse } from '@gatehouse/types/oidc';
import { FormAlert } from '../../components/form-alert';
import { useConfirm } from '../../components/use-confirm';
import { whenIdle } from '../../components/when-idle';
import { isApiError } from '../../lib/api-client';
import { describeError } from '../../lib/form-errors';
import { leavePageFor } from './leave-page';
import { DateTime } from '../../lib/time-view';
import { connectionErrorTexts, oidcMessages as TEXT } from '../../messages/oidc';
import { activityKeys } from '../activity/activity-queries';
import { useWithReauth } from '../reauth/reauth-context';
import { oidcApi, oidcKeys, oidcQueries } from './oidc-queries';
import '../second-factor/second-factor.css';

function describeConnectionError(error: unknown): string | null {
  if (isApiError(error, 'last_sign_in_method')) return connectionErrorTexts.last_sign_in_method;
  return describeError(error, 'connection').alert;
}

/**
 * The dashboard's "Connected accounts": the provider accounts that can sign in to this account. Connecting
 * leaves the page for the provider, which sends the browser back to `/?connected=<id>`. Both connecting
 * and disconnecting may ask who you are first. Nothing is shown on a deployment without providers.
 */
export default function ConnectionsSection() {
  const list = useQuery(oidcQueries.connections());
  const queryClient = useQueryClient();
  const withReauth = useWithReauth();
  const { confirm, dialog } = useConfirm();
  const [message, setMessage] = useState('');

  const connect = useMutation({
    mutationFn: withReauth(oidcApi.connect),
    onSuccess: ({ url }: OidcRedirectResponse) => leavePageFor(url),
  });
  const disconnect = useMutation({
    mutationFn: withReauth(async (connection: ConnectionView) => {
      await oidcApi.disconnect(connection.provider);
      return connection;
    }),
    onSuccess: async (connection: ConnectionView) => {
      setMessage(TEXT.disconnected(connection.name));
      await Promise.all([queryClient.invalidateQueries({ queryKey: oidcKeys.connections() }), queryClient.invalidateQueries({ queryKey: activityKeys.all })]);
    },
    // A refusal may mean the list is out of date (a passkey removed in another tab): ask again.
    onError: () => queryClient.invalidateQueries({ queryKey: oidcKeys.connections() }),
  });

  // A deployment without providers has nothing to offer here; a list that failed to load says nothing either.
  if (!list.data) return null;
  const { connections, available } = list.data;
  if (connections.length === 0 && available.length === 0) return null;
  const connectable = available.filter((provider) => !connections.some((connection) => connection.provider === provider.id));

  const onDisconnect = async (connection: ConnectionView) => {
    const isConfirmed = await confirm({
      title: TEXT.confirmDisconnectTitle(connection.name),
      body: <p>{TEXT.confirmDisconnectBody(connection.name, connection.email)}</p>,
      confirmLabel: TEXT.disconnect,
    });
    if (isConfirmed) disconnect.mutate(connection);
  };

  return (
    <section className="card" aria-labelledby="connections-title">
      <h2 id="connections-title">{TEXT.sectionTitle}</h2>
      <p>{TEXT.lead}</p>
      <p role="status" className="status-message">
        {message}
      </p>
      {connections.length === 0 ? (
        <p className="muted">{TEXT.none}</p>
      ) : (
        <ul className="passkey-list" aria-label={TEXT.listLabel}>
          {connections.map((connection) => (
            <ConnectionItem
              key={connection.provider}
              connection={connection}
              isBusy={disconnect.isPending}
              onDisconnect={() => void onDisconnect(connection)}
            />
          ))}
        </ul>
      )}
      {connectable.length > 0 ? (
        <div className="actions">
          {connectable.map((provider) => (
            <button key={provider.id} type="button" className="button" {...whenIdle(connect.isPending, () => connect.mutate(provider.id))}>
              {TEXT.connect(provider.name)}
            </button>
          ))}
        </div>
      ) : null}
      <FormAlert message={describeConnectionError(connect.error ?? disconnect.error)} />
      {dialog}
    </section>
  );
}

function ConnectionItem({ connection, isBusy, onDisconnect }: { connection: ConnectionView; isBusy: boolean; onDisconnect: () => void }) {
  const reasonId = useId();
  return (
    <li className="passkey-item">
      <div>
        <strong>{connection.name}</strong> <span className="muted">{connection.email}</span>
        <div className="muted">
          {TEXT.connectedOn} <DateTime value={connection.connectedAt} />
        </div>
        {connection.canDisconnect ? null : (
          <p id={reasonId} className="muted">
            {TEXT.onlyWayToSignIn}
          </p>
        )}
      </div>
      <button
        type="button"
        className="button button-small button-danger"
        aria-label={TEXT.disconnectLabel(connection.name)}
        // Still focusable when it cannot be used, so the reason beside it is read with it.
        {...(connection.canDisconnect ? whenIdle(isBusy, onDisconnect) : { 'aria-disabled': true, 'aria-describedby': reasonId })}
      >
        {TEXT.disconnect}
      </button>
    </li>
  );
}
