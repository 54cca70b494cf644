import { keepPreviousData, queryOptions } from '@tanstack/react-query';
import type {
  AdminRevokeUserSessionsResponse,
  AdminSessionListResponse,
  AdminSetRoleRequest,
  AdminUserListResponse,
  AdminUserResponse,
  StoreHealthResponse,
} from '@gatehouse/types/admin';
import { apiCommand, apiRequest } from '../../lib/api-client';

export interface AdminSessionFilter {
  page: number;
  pageSize: number;
  email: string;
}

export const adminKeys = {
  all: ['admin'] as const,
  sessions: () => [...adminKeys.all, 'sessions'] as const,
  sessionPage: (filter: AdminSessionFilter) => [...adminKeys.sessions(), filter] as const,
  users: () => [...adminKeys.all, 'users'] as const,
  store: () => [...adminKeys.all, 'store'] as const,
};

function sessionsSearch({ page, pageSize, email }: AdminSessionFilter): string {
  const params = new URLSearchParams({ page: String(page), pageSize: String(pageSize) });
  if (email) params.set('email', email);
  return params.toString();
}

export const adminQueries = {
  sessions: (filter: AdminSessionFilter) =>
    queryOptions({
      queryKey: adminKeys.sessionPage(filter),
      queryFn: () => apiRequest<AdminSessionListResponse>(`/api/admin/sessions?${sessionsSearch(filter)}`),
      placeholderData: keepPreviousData,
    }),
  users: () =>
    queryOptions({
      queryKey: adminKeys.users(),
      queryFn: () => apiRequest<AdminUserListResponse>('/api/admin/users'),
    }),
  store: () =>
    queryOptions({
      queryKey: adminKeys.store(),
      queryFn: () => apiRequest<StoreHealthResponse>('/api/admin/store'),
    }),
};

export const adminApi = {
  revokeSession: (handle: string) => apiCommand(`/api/admin/sessions/${encodeURIComponent(handle)}`, { method: 'DELETE' }),
  revokeUserSessions: (userId: string) =>
    apiRequest<AdminRevokeUserSessionsResponse>(`/api/admin/users/${encodeURIComponent(userId)}/sessions`, { method: 'DELETE' }),
  setUserDisabled: (userId: string, isDisabled: boolean) =>
    apiRequest<AdminUserResponse>(`/api/admin/users/${encodeURIComponent(userId)}/${isDisabled ? 'disable' : 'enable'}`, {
      method: 'POST',
    }),
  /** Applies on the user's next request, without signing them out. */
  setUserRole: (userId: string, body: AdminSetRoleRequest) =>
    apiRequest<AdminUserResponse>(`/api/admin/users/${encodeURIComponent(userId)}/role`, { method: 'POST', body }),
};
