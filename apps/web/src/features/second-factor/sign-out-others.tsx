import { useId } from 'react';
import type { ConfirmRequest } from '../../components/confirm-dialog';
import { secondFactorMessages as TEXT } from '../../messages/second-factor';

/** The form field's name, read with `form.get(…) === 'on'` where the checkbox sits in a form. */
export const SIGN_OUT_OTHERS_FIELD = 'signOutOtherSessions';

/**
 * "Sign out your other sessions", offered with every change of second factor or passkey. Checked, as
 * the API's default is: whoever changes a factor after a scare wants the other devices out.
 */
export function SignOutOthersCheckbox({ onChange }: { onChange?: (isChecked: boolean) => void }) {
  const id = useId();
  return (
    <div className="checkbox-field">
      <input id={id} name={SIGN_OUT_OTHERS_FIELD} type="checkbox" defaultChecked onChange={(event) => onChange?.(event.target.checked)} />
      <label htmlFor={id}>{TEXT.signOutOthers}</label>
    </div>
  );
}

type Confirm = (options: ConfirmRequest) => Promise<boolean>;

/** Asks before a factor change (see `useConfirm`), with the checkbox; the person's choice, or null when they cancelled. */
export async function confirmFactorChange(confirm: Confirm, options: Omit<ConfirmRequest, 'children'>): Promise<{ signOutOtherSessions: boolean } | null> {
  // Read once the dialog has answered: the checkbox is the dialog's, not this component's state.
  const choice = { signOutOtherSessions: true };
  const isConfirmed = await confirm({
    ...options,
    children: (
      <SignOutOthersCheckbox
        onChange={(isChecked) => {
          choice.signOutOtherSessions = isChecked;
        }}
      />
    ),
  });
  return isConfirmed ? choice : null;
}
