import { lazy, Suspense, useCallback, useRef, useState, type ReactNode } from 'react';
import { ReauthContext } from './reauth-context';

/** Most visits never need the password dialog, so its code is fetched the first time one does. */
const ReauthDialog = lazy(async () => ({ default: (await import('./reauth-dialog')).ReauthDialog }));

export function ReauthProvider({ children }: { children: ReactNode }) {
  const [pending, setPending] = useState<{ resolve: (confirmed: boolean) => void } | null>(null);
  const queueRef = useRef<Promise<boolean> | null>(null);

  const requestReauth = useCallback(() => {
    // Several actions failing at once share one dialog and one answer.
    queueRef.current ??= new Promise<boolean>((resolve) => {
      setPending({
        resolve: (confirmed) => {
          queueRef.current = null;
          setPending(null);
          resolve(confirmed);
        },
      });
    });
    return queueRef.current;
  }, []);

  return (
    <ReauthContext value={requestReauth}>
      {children}
      {pending ? (
        <Suspense fallback={null}>
          <ReauthDialog onDone={pending.resolve} />
        </Suspense>
      ) : null}
    </ReauthContext>
  );
}
