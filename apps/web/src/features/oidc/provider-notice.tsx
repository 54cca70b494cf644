import { oidcMessages } from '../../messages/oidc';
import { describeOidcError, useCallbackOutcome, useProviderName } from './callback-outcome';

/**
 * At the top of the dashboard: what a provider's redirect back says (`?connected=`, `?reauthenticated=`,
 * `?oidc_error=`), once; a reload does not repeat it.
 */
export default function ProviderNotice() {
  const outcome = useCallbackOutcome();
  const providerName = useProviderName(outcome?.provider ?? null);
  if (!outcome || providerName === undefined) return null;
  if (outcome.kind === 'error') {
    return (
      <p role="alert" className="alert alert-error">
        {describeOidcError(outcome.code, providerName)}
      </p>
    );
  }
  return (
    <p role="status" className="status-message">
      {oidcMessages[outcome.kind](providerName)}
    </p>
  );
}
