import { useEffect } from 'react';
import { useQuery } from '@tanstack/react-query';
import { useLocation } from 'react-router';
import type { SecondFactorMethod } from '@gatehouse/types/second-factor';
import { oidcMessages as TEXT } from '../../messages/oidc';
import { useClearAddress } from './callback-outcome';
import { oidcApi, oidcQueries } from './oidc-queries';
import './oidc.css';

/**
 * Under the sign-in form: "Sign in with …" for each configured provider (nothing at all when there is
 * none). Each is a plain link the whole page follows to the API, which sends it on to the provider;
 * it presents itself as the button it looks like ("Sign in with <name>").
 * A provider sign-in on an account with a second factor comes back to `?second_step=1`: this picks up
 * that pending sign-in and hands its methods to the page, which shows the second step.
 */
export default function OidcSignIn({ onSecondStep }: { onSecondStep: (methods: SecondFactorMethod[]) => void }) {
  const providers = useQuery(oidcQueries.providers());
  useResumedSignIn(onSecondStep);
  const list = providers.data?.providers ?? [];
  if (list.length === 0) return null;
  return (
    <div className="stack">
      <p className="oidc-divider">{TEXT.or}</p>
      {list.map((provider) => (
        <a key={provider.id} role="button" className="button" href={oidcApi.signInUrl(provider.id)}>
          {TEXT.signInWith(provider.name)}
        </a>
      ))}
    </div>
  );
}

function useResumedSignIn(onSecondStep: (methods: SecondFactorMethod[]) => void) {
  const isResuming = new URLSearchParams(useLocation().search).has('second_step');
  const clearAddress = useClearAddress();
  const pending = useQuery({ ...oidcQueries.pendingSignIn(), enabled: isResuming });
  useEffect(() => {
    if (!isResuming || pending.isPending) return;
    // Once asked, the address says no more: going back from the second step shows the plain form.
    clearAddress();
    // A 401 means the pending sign-in expired or was never there: the form is what to show.
    if (pending.data) onSecondStep(pending.data.methods);
  }, [isResuming, pending.isPending, pending.data, onSecondStep, clearAddress]);
}
