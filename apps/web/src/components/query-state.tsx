import type { UseQueryResult } from '@tanstack/react-query';
import { describeError } from '../lib/form-errors';
import { commonMessages } from '../messages/common';
import { errorMessages } from '../messages/errors';

/** Loading and error placeholders for a section whose data is not there yet; `what` comes from the catalogue. */
export function QueryState({ query, what }: { query: Pick<UseQueryResult, 'isPending' | 'error'>; what: string }) {
  if (query.error) {
    return (
      <p role="alert" className="alert alert-error">
        {errorMessages.loadFailed(what, describeError(query.error, 'load').alert ?? '')}
      </p>
    );
  }
  return <p className="muted">{commonMessages.loading(what)}</p>;
}
