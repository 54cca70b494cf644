import { lazy, Suspense, useCallback, useState } from 'react';
import type { ConfirmRequest } from './confirm-dialog';

/** Fetched the first time something destructive is asked for; render it inside <Suspense>. */
export const LazyConfirmDialog = lazy(async () => ({ default: (await import('./confirm-dialog')).ConfirmDialog }));

/**
 * Asks before a destructive action: `if (await confirm({…})) mutate()`. Render `dialog` where the
 * hook is used. Nothing happens unless the person presses the confirm button; Escape and Cancel
 * answer no.
 */
export function useConfirm() {
  const [request, setRequest] = useState<{ options: ConfirmRequest; resolve: (confirmed: boolean) => void } | null>(null);
  const confirm = useCallback(
    (options: ConfirmRequest) =>
      new Promise<boolean>((resolve) => {
        setRequest({ options, resolve });
      }),
    [],
  );
  const dialog = request ? (
    <Suspense fallback={null}>
      <LazyConfirmDialog
        {...request.options}
        onAnswer={(confirmed) => {
          setRequest(null);
          request.resolve(confirmed);
        }}
      />
    </Suspense>
  ) : null;
  return { confirm, dialog };
}
