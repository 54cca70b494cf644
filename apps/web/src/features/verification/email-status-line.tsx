import { Link } from 'react-router';
import type { User } from '@gatehouse/types/users';
import { emailStatusMessages } from '../../messages/email-status';

/**
 * The address with its badge on the dashboard, as a banner until it is confirmed (unconfirmed
 * accounts may sign in). Resending the link and changing the address live on their own page.
 */
export default function EmailStatusLine({ user }: { user: User }) {
  const isVerified = user.emailVerified;
  return (
    <p className={isVerified ? 'lead' : 'banner banner-warning'} role="status">
      {user.email}{' '}
      <span className={`badge badge-${isVerified ? 'current' : 'danger'}`}>{isVerified ? emailStatusMessages.verified : emailStatusMessages.notVerified}</span>{' '}
      {isVerified ? null : emailStatusMessages.confirmEmail} <Link to="/account/email">{isVerified ? 'Change email' : 'Send a new link'}</Link>
    </p>
  );
}
