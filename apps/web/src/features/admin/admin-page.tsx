import { Link } from 'react-router';
import { useQuery } from '@tanstack/react-query';
import { isApiError } from '../../lib/api-client';
import { ActivityExportSection } from './activity-export-section';
import { AdminSessionsSection } from './admin-sessions-section';
import { AdminUsersSection } from './admin-users-section';
import { StoreHealthSection } from './store-health-section';
import { adminQueries } from './admin-queries';
import { adminMessages } from '../../messages/admin';
import './admin.css';

export function AdminPage() {
  // With REQUIRE_ADMIN_SECOND_FACTOR every admin request refuses a session a password alone opened:
  // one answer (the store's, which the section below shares) says so once, for the whole page.
  const store = useQuery(adminQueries.store());
  const needsSecondFactor = isApiError(store.error, 'second_factor_required');
  return (
    <div className="page">
      <title>Admin · Gatehouse</title>
      <h1>Admin</h1>
      <p className="lead">{adminMessages.lead}</p>
      {needsSecondFactor ? (
        <div className="card stack-small">
          <p role="alert" className="alert">
            {adminMessages.secondFactorRequired}
          </p>
          <p>
            <Link to="/">{adminMessages.toDashboard}</Link>
          </p>
        </div>
      ) : (
        <div className="admin-stack">
          <AdminSessionsSection />
          <AdminUsersSection />
          <StoreHealthSection />
          <ActivityExportSection />
        </div>
      )}
    </div>
  );
}
