import { AdminSessionsSection } from './admin-sessions-section';
import { AdminUsersSection } from './admin-users-section';
import { StoreHealthSection } from './store-health-section';
import { adminMessages } from '../../messages/admin';
import './admin.css';

export function AdminPage() {
  return (
    <div className="page">
      <title>Admin · Gatehouse</title>
      <h1>Admin</h1>
      <p className="lead">{adminMessages.lead}</p>
      <div className="admin-stack">
        <AdminSessionsSection />
        <AdminUsersSection />
        <StoreHealthSection />
      </div>
    </div>
  );
}
