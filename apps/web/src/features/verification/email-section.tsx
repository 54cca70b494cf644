import { Link } from 'react-router';
import { useQuery } from '@tanstack/react-query';
import { dashboardMessages } from '../../messages/dashboard';
import { authQueries } from '../auth/auth-queries';

/*
 * On every dashboard, so only what shows on arrival is here: the address, its badge and, until it is
 * confirmed, a banner. Resending the link and changing the address live on their own page.
 */

/** Until the address is confirmed (unconfirmed accounts may sign in, with this banner). */
export function UnverifiedEmailBanner() {
  const me = useQuery(authQueries.me());
  if (!me.data || me.data.user.emailVerified) return null;
  return (
    <p className="banner banner-warning" role="status">
      {dashboardMessages.confirmEmail(me.data.user.email)} <Link to="/account/email">Send a new link</Link>
    </p>
  );
}

export function EmailSection() {
  const user = useQuery(authQueries.me()).data?.user;
  return (
    <section className="card stack-small" aria-labelledby="email-title">
      <h2 id="email-title">Email address</h2>
      {user ? (
        <p>
          {user.email}{' '}
          <span className={user.emailVerified ? 'badge badge-current' : 'badge badge-danger'}>
            {user.emailVerified ? dashboardMessages.emailVerified : dashboardMessages.emailNotVerified}
          </span>
        </p>
      ) : null}
      <p>
        <Link to="/account/email">Change email</Link>
      </p>
    </section>
  );
}
