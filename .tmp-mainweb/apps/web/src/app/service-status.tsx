import { useSyncExternalStore } from 'react';
import { useQueryClient, type QueryClient } from '@tanstack/react-query';
import { isServiceUnavailable } from '../lib/api-client';

function isWaitingForService(client: QueryClient): boolean {
  const queries = client.getQueryCache().getAll();
  const mutations = client.getMutationCache().getAll();
  return (
    queries.some(
      (query) =>
        (query.state.fetchStatus !== 'idle' && isServiceUnavailable(query.state.fetchFailureReason)) ||
        (query.state.status === 'error' && isServiceUnavailable(query.state.error) && query.getObserversCount() > 0),
    ) || mutations.some(({ state }) => state.status === 'pending' && isServiceUnavailable(state.failureReason))
  );
}

/** True while any request is waiting out a 503 (the database or the API is down). */
export function useIsServiceUnavailable(): boolean {
  const client = useQueryClient();
  return useSyncExternalStore(
    (onChange) => {
      const stopQueries = client.getQueryCache().subscribe(onChange);
      const stopMutations = client.getMutationCache().subscribe(onChange);
      return () => {
        stopQueries();
        stopMutations();
      };
    },
    () => isWaitingForService(client),
  );
}

export function ServiceBanner() {
  const isUnavailable = useIsServiceUnavailable();
  return (
    <div role="status" className={isUnavailable ? 'banner banner-warning' : 'visually-hidden'}>
      {isUnavailable ? 'Service unavailable, retrying…' : ''}
    </div>
  );
}

/** Shown instead of a page that cannot be decided yet (signed in or not?) while the service is down. */
export function ServiceUnavailableScreen() {
  return (
    <div className="card narrow stack">
      <title>Temporarily unavailable · Gatehouse</title>
      <h1>Temporarily unavailable</h1>
      <p>Gatehouse cannot reach its database right now. This page carries on by itself as soon as it is back.</p>
    </div>
  );
}
