import { AdminSessionsSection } from './admin-sessions-section';
import { AdminUsersSection } from './admin-users-section';
import { StoreHealthSection } from './store-health-section';
import './admin.css';

export function AdminPage() {
  return (
    <div className="page">
      <title>Admin · Gatehouse</title>
      <h1>Admin</h1>
      <p className="lead">Every session in the store, every account, and the health of the session store.</p>
      <div className="admin-stack">
        <AdminSessionsSection />
        <AdminUsersSection />
        <StoreHealthSection />
      </div>
    </div>
  );
}
