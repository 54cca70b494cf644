import { createContext, useCallback, useContext } from 'react';
import { isApiError } from '../../lib/api-client';

/** Resolves true once the password was confirmed, false if the person cancelled. */
export type RequestReauth = () => Promise<boolean>;

export const ReauthContext = createContext<RequestReauth | null>(null);

/**
 * Wraps an action so a 403 `reauth_required` asks for the password and then runs the action
 * again, instead of failing: the person sees one action that needed one extra step.
 */
export function useWithReauth() {
  const requestReauth = useContext(ReauthContext);
  if (!requestReauth) throw new Error('useWithReauth needs a ReauthProvider');
  return useCallback(
    <TVariables, TResult>(action: (variables: TVariables) => Promise<TResult>) =>
      async (variables: TVariables): Promise<TResult> => {
        try {
          return await action(variables);
        } catch (error) {
          if (!isApiError(error, 'reauth_required')) throw error;
          if (!(await requestReauth())) throw error;
          return action(variables);
        }
      },
    [requestReauth],
  );
}
