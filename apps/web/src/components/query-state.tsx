import type { UseQueryResult } from '@tanstack/react-query';
import { formErrorMessage } from '../lib/form-errors';

/** Loading and error placeholders for a section whose data is not there yet. */
export function QueryState({ query, what }: { query: Pick<UseQueryResult, 'isPending' | 'error'>; what: string }) {
  if (query.error) {
    return (
      <p role="alert" className="alert alert-error">
        Could not load {what}: {formErrorMessage(query.error)}
      </p>
    );
  }
  return <p className="muted">Loading {what}…</p>;
}
