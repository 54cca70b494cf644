import { Link } from 'react-router';
import { secondFactorMessages as TEXT } from '../../messages/second-factor';

/** In place of a set-up button the API would refuse (403 `email_unverified`) while the address is unconfirmed. */
export function ConfirmAddressFirst() {
  return (
    <p className="alert">
      {TEXT.confirmAddressFirst} <Link to="/account/email">{TEXT.newConfirmationLink}</Link>
    </p>
  );
}
