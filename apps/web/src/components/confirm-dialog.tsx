import { useEffect, useId, useRef, useState, type ReactNode } from 'react';
import { commonMessages } from '../messages/common';
import './dialog.css';

export interface ConfirmRequest {
  title: string;
  body: ReactNode;
  /** Starts with the action's verb ("Revoke session", "Disable account"): the button says what happens. */
  confirmLabel: string;
  /** Extra controls the choice needs (e.g. the new role); rendered between the text and the buttons. */
  children?: ReactNode;
  /** False while the choice in `children` is not complete. */
  canConfirm?: boolean;
}

/**
 * A modal `alertdialog`: the safe answer (Cancel) has focus, Escape answers no, and focus returns
 * to the control that opened it. Usually shown through `useConfirm`.
 */
export function ConfirmDialog({
  title,
  body,
  confirmLabel,
  children,
  canConfirm = true,
  onAnswer,
}: ConfirmRequest & { onAnswer: (confirmed: boolean) => void }) {
  const dialogRef = useRef<HTMLDialogElement>(null);
  const cancelRef = useRef<HTMLButtonElement>(null);
  const isAnswered = useRef(false);
  const titleId = useId();
  const bodyId = useId();
  // Keyboard users continue from the control that asked, once the dialog is gone.
  const [returnFocusTo] = useState(() => (document.activeElement instanceof HTMLElement ? document.activeElement : null));

  const answer = (confirmed: boolean) => {
    if (isAnswered.current) return;
    isAnswered.current = true;
    onAnswer(confirmed);
  };

  useEffect(() => {
    const dialog = dialogRef.current;
    if (!dialog) return;
    if (typeof dialog.showModal === 'function') dialog.showModal();
    else dialog.setAttribute('open', '');
    // The safe answer has focus, so a stray Enter never destroys anything.
    cancelRef.current?.focus();
    return () => {
      if (typeof dialog.close === 'function') dialog.close();
      else dialog.removeAttribute('open');
      if (returnFocusTo?.isConnected) returnFocusTo.focus();
    };
  }, [returnFocusTo]);

  return (
    <dialog
      ref={dialogRef}
      role="alertdialog"
      className="dialog"
      aria-labelledby={titleId}
      aria-describedby={bodyId}
      onCancel={(event) => {
        event.preventDefault();
        answer(false);
      }}
      // The browser may close a modal dialog itself (a second Escape): that is a "no" too.
      onClose={() => answer(false)}
    >
      <div className="stack">
        <h2 id={titleId}>{title}</h2>
        <div id={bodyId} className="stack-small">
          {body}
        </div>
        {children}
        <div className="actions">
          <button type="button" className="button button-danger-solid" disabled={!canConfirm} onClick={() => answer(true)}>
            {confirmLabel}
          </button>
          <button ref={cancelRef} type="button" className="button" onClick={() => answer(false)}>
            {commonMessages.cancel}
          </button>
        </div>
      </div>
    </dialog>
  );
}
