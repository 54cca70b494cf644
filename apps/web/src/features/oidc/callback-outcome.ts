import { useCallback, useEffect, useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import { useLocation, useNavigate } from 'react-router';
import type { OidcErrorCode } from '@gatehouse/types/oidc';
import { oidcErrorTexts, oidcMessages, unknownOidcError } from '../../messages/oidc';
import { oidcQueries } from './oidc-queries';

export type CallbackOutcome = { kind: 'error'; code: string; provider: string | null } | { kind: 'connected' | 'reauthenticated'; provider: string };

/** What a provider's callback landed with: `/?connected=google`, `/login?oidc_error=denied&provider=google`, … */
function readOutcome(search: string): CallbackOutcome | null {
  const params = new URLSearchParams(search);
  const code = params.get('oidc_error');
  if (code) return { kind: 'error', code, provider: params.get('provider') };
  const connected = params.get('connected');
  if (connected) return { kind: 'connected', provider: connected };
  const reauthenticated = params.get('reauthenticated');
  return reauthenticated ? { kind: 'reauthenticated', provider: reauthenticated } : null;
}

/**
 * What a provider's callback said in the URL, read once: the parameters then leave the address bar, so a
 * reload or a bookmark does not say it again.
 */
export function useCallbackOutcome(): CallbackOutcome | null {
  const { search } = useLocation();
  const [outcome] = useState(() => readOutcome(search));
  const clearAddress = useClearAddress();
  useEffect(() => {
    if (outcome) clearAddress();
  }, [outcome, clearAddress]);
  return outcome;
}

/** Takes the query string out of the address bar, replacing the history entry (the pages that land here use no other). */
export function useClearAddress(): () => void {
  const { pathname } = useLocation();
  const navigate = useNavigate();
  return useCallback(() => void navigate(pathname, { replace: true }), [navigate, pathname]);
}

/** A provider's name for messages, from its id; undefined until the list is in (so a message is said once, whole). */
export function useProviderName(id: string | null): string | undefined {
  const providers = useQuery({ ...oidcQueries.providers(), enabled: id !== null });
  if (id === null) return oidcMessages.someProvider;
  if (providers.isPending) return undefined;
  return providers.data?.providers.find((provider) => provider.id === id)?.name ?? id;
}

const asSentence = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

/** The words for a callback's `oidc_error`, naming the provider. The code comes from the address bar: nothing is taken from the prototype. */
export function describeOidcError(code: string, providerName: string): string {
  const text = Object.hasOwn(oidcErrorTexts, code) ? oidcErrorTexts[code as OidcErrorCode] : unknownOidcError;
  return asSentence(text(providerName));
}
