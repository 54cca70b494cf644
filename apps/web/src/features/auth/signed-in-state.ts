import type { QueryClient } from '@tanstack/react-query';
import { authKeys } from './auth-queries';

/**
 * Nobody is signed in here any more (this tab signed out, or the session ended elsewhere). Forgets
 * every cached answer about the account and records "nobody" as who is here, so the header, the
 * route guards and every page switch to the signed-out state at once, without a request or a reload.
 */
export function forgetSignedInState(client: QueryClient): void {
  // An answer still on its way was asked with the old cookie: it must not bring the account back.
  void client.cancelQueries();
  client.removeQueries({ predicate: (query) => query.queryKey[0] !== authKeys.all[0] });
  client.getMutationCache().clear();
  client.setQueryData(authKeys.me(), null);
}
