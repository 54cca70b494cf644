/**
 * Props for an action button that is busy for a while. Unlike `disabled`, `aria-disabled` keeps the
 * button focusable, so keyboard focus survives the action (and the password dialog it may open).
 */
export function whenIdle(isBusy: boolean, onClick: () => void) {
  return { 'aria-disabled': isBusy ? true : undefined, onClick: isBusy ? undefined : onClick };
}
