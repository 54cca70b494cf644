import { useMutation, useQuery } from '@tanstack/react-query';
import type { OidcRedirectResponse } from '@gatehouse/types/oidc';
import { FormAlert } from '../../components/form-alert';
import { describeError } from '../../lib/form-errors';
import { leavePageFor } from './leave-page';
import { oidcMessages as TEXT } from '../../messages/oidc';
import { oidcApi, oidcQueries } from './oidc-queries';

/**
 * In the "Confirm it's you" dialog: a connected provider instead of the password (an account made through
 * a provider has none). The page leaves for the provider and comes back to `/?reauthenticated=<id>`, so
 * the action that asked is not retried by itself: the dashboard says to try it again. Nothing when the
 * account has no connection.
 */
export default function OidcReauth() {
  const connections = useQuery(oidcQueries.connections());
  const confirmWith = useMutation({ mutationFn: oidcApi.reauth, onSuccess: ({ url }: OidcRedirectResponse) => leavePageFor(url) });
  const connected = connections.data?.connections ?? [];
  if (connected.length === 0) return null;
  return (
    <div className="stack">
      {connected.map((connection) => (
        <button
          key={connection.provider}
          type="button"
          className="button"
          disabled={confirmWith.isPending}
          onClick={() => confirmWith.mutate(connection.provider)}
        >
          {TEXT.confirmWith(connection.name)}
        </button>
      ))}
      <p className="muted">{TEXT.confirmWithHint}</p>
      <FormAlert message={describeError(confirmWith.error, 'reauth').alert} />
    </div>
  );
}
