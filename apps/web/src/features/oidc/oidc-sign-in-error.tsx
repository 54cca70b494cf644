import { describeOidcError, useCallbackOutcome, useProviderName } from './callback-outcome';

const focusWhenShown = (element: HTMLElement | null) => element?.focus();

/** Above the sign-in form: why a provider sign-in did not work (`?oidc_error=…&provider=…`), once. */
export default function OidcSignInError() {
  const outcome = useCallbackOutcome();
  const failure = outcome?.kind === 'error' ? outcome : null;
  const providerName = useProviderName(failure?.provider ?? null);
  if (!failure || providerName === undefined) return null;
  return (
    // Focused as it appears: after the redirect nothing else on the page is, and a screen reader reads it.
    <p role="alert" className="alert alert-error" tabIndex={-1} ref={focusWhenShown}>
      {describeOidcError(failure.code, providerName)}
    </p>
  );
}
