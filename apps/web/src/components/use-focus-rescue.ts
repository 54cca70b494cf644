import { useEffect, useRef, type FocusEvent, type RefObject } from 'react';

/**
 * A list item removed while one of its controls had focus (a revoked session) would drop keyboard
 * focus to <body>. After each change of `items`, focus moves to `fallback` instead, but only when
 * the last focused control inside the container is gone and nothing else has focus.
 * Spread the returned props on the container.
 */
export function useFocusRescue(fallback: RefObject<HTMLElement | null>, items: unknown) {
  const lastFocused = useRef<Element | null>(null);
  useEffect(() => {
    const last = lastFocused.current;
    const active = document.activeElement;
    if (last && !last.isConnected && (active === null || active === document.body)) {
      lastFocused.current = null;
      fallback.current?.focus();
    }
  }, [items, fallback]);
  return {
    onFocus: (event: FocusEvent) => {
      lastFocused.current = event.target;
    },
  };
}
