import { Link, NavLink } from 'react-router';
import { useQuery } from '@tanstack/react-query';
import { authQueries } from '../features/auth/auth-queries';
import { useSignOut } from '../features/auth/use-sign-out';
import type { User } from '@gatehouse/types/users';

/** Follows `me`: whatever ends the session (here or elsewhere) empties it, and the header with it. */
export function AppHeader() {
  const me = useQuery(authQueries.me());
  const user = me.data?.user;
  return (
    <header className="app-header">
      <div className="app-header-inner">
        <Link to="/" className="brand">
          Gatehouse
        </Link>
        {user ? <SignedInNav user={user} /> : null}
      </div>
    </header>
  );
}

function SignedInNav({ user }: { user: User }) {
  const signOut = useSignOut();
  return (
    <>
      <nav aria-label="Main" className="main-nav">
        <NavLink to="/" end>
          Dashboard
        </NavLink>
        {user.role === 'admin' ? <NavLink to="/admin">Admin</NavLink> : null}
      </nav>
      <div className="account">
        <span className="account-name" title={user.name}>
          {user.name}
        </span>
        <button type="button" className="button button-small" onClick={() => signOut.mutate()} disabled={signOut.isPending}>
          Sign out
        </button>
      </div>
    </>
  );
}
