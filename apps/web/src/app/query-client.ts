import { MutationCache, QueryCache, QueryClient, type DefaultOptions } from '@tanstack/react-query';
import { apiRequest, isApiError, isServiceUnavailable, isSessionGone } from '../lib/api-client';
import { authKeys } from '../features/auth/auth-queries';
import { sessionKeys } from '../features/sessions/session-queries';
import { forgetSignedInState } from '../features/auth/signed-in-state';
import type { MeResponse } from '@gatehouse/types/auth';
import type { CurrentSessionResponse } from '@gatehouse/types/sessions';
import type { SessionEndReason, SessionStatus } from '../features/auth/session-status';

const FALLBACK_RETRY_DELAY_MS = 5000;

/** An outage is waited out for as long as it lasts; any other failure is reported at once. */
const retryWhileUnavailable = (_failureCount: number, error: Error) => isServiceUnavailable(error);

const retryDelay = (failureCount: number, error: Error) =>
  isServiceUnavailable(error) && error.retryAfter !== null
    ? Math.max(error.retryAfter * 1000, 1000)
    : Math.min(1000 * 2 ** failureCount, FALLBACK_RETRY_DELAY_MS);

/**
 * A 401 does not say why the session died. If its last known deadline has passed it expired;
 * otherwise something ended it from elsewhere.
 */
function guessEndReason(client: QueryClient, now = Date.now()): SessionEndReason {
  const me = client.getQueryData<MeResponse | null>(authKeys.me());
  const current = client.getQueryData<CurrentSessionResponse>(sessionKeys.current());
  const deadlines = [
    me ? Date.parse(me.session.expiresAt) : Number.NaN,
    current ? Math.min(Date.parse(current.session.idleExpiresAt), Date.parse(current.session.absoluteExpiresAt)) : Number.NaN,
  ].filter((value) => !Number.isNaN(value));
  if (deadlines.length > 0 && now >= Math.max(...deadlines)) return 'expired';
  return 'revoked';
}

/** Resolves once none of this client's queries or mutations is waiting for the API. */
function whenRequestsSettle(client: QueryClient): Promise<void> {
  return new Promise((resolve) => {
    const check = () => {
      if (client.isFetching() > 0 || client.isMutating() > 0) return;
      stopQueries();
      stopMutations();
      resolve();
    };
    const stopQueries = client.getQueryCache().subscribe(check);
    const stopMutations = client.getMutationCache().subscribe(check);
    check();
  });
}

export function createQueryClient(sessionStatus: SessionStatus, overrides: DefaultOptions = {}): QueryClient {
  let isConfirming = false;

  /**
   * A request sent just before this tab's session id was replaced comes back 401 although the session
   * lives on under its new id: after re-authentication or a password change, and after an
   * administrator changed the account's role, when the server gives the session a new id on whichever
   * of the tab's requests reaches it first. Once the requests already on their way are back (one of
   * them may bring the new id), asking once more with the cookie the browser holds tells the two
   * apart; what failed with the old cookie is then fetched again.
   */
  const confirmSessionGone = async () => {
    if (isConfirming) return;
    isConfirming = true;
    try {
      await whenRequestsSettle(client);
      client.setQueryData(authKeys.me(), await apiRequest<MeResponse>('/api/auth/me'));
      await client.refetchQueries({ predicate: (query) => query.state.status === 'error' && isSessionGone(query.state.error) });
    } catch (error) {
      if (isSessionGone(error)) sessionStatus.end(guessEndReason(client));
    } finally {
      isConfirming = false;
    }
  };

  const onError = (error: Error) => {
    // A visitor who was never signed in just sees the sign-in page; only a lost session is news.
    if (isSessionGone(error) && client.getQueryData(authKeys.me()) != null) void confirmSessionGone();
    // A role changed by an administrator applies on the next request: ask again who is signed in.
    if (isApiError(error, 'forbidden')) void client.invalidateQueries({ queryKey: authKeys.me() });
  };
  const client: QueryClient = new QueryClient({
    queryCache: new QueryCache({ onError }),
    mutationCache: new MutationCache({ onError }),
    defaultOptions: {
      queries: { retry: retryWhileUnavailable, retryDelay, staleTime: 30_000, ...overrides.queries },
      mutations: { retry: retryWhileUnavailable, retryDelay, ...overrides.mutations },
    },
  });
  // However the session ended, nothing of it stays on screen or in memory.
  sessionStatus.subscribe(() => {
    if (sessionStatus.getEndReason() !== null) forgetSignedInState(client);
  });
  return client;
}
