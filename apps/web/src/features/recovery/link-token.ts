import { useEffect, useState } from 'react';
import { useSearchParams } from 'react-router';

/**
 * The `?token=` of a link from a mail, read once and then taken out of the address bar, so it stays
 * out of the history and of anything the page later sends (the token works until it is used).
 */
export function useLinkToken(): string | null {
  const [params, setParams] = useSearchParams();
  const [token] = useState(() => params.get('token'));
  useEffect(() => {
    if (params.has('token')) setParams({}, { replace: true });
  }, [params, setParams]);
  return token;
}
