import { keepPreviousData, queryOptions } from '@tanstack/react-query';
import {
  AdminRevokeUserSessionsResponseSchema,
  AdminSessionListResponseSchema,
  AdminUserListResponseSchema,
  AdminUserResponseSchema,
  StoreHealthResponseSchema,
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
      queryFn: ({ signal }) => apiRequest(`/api/admin/sessions?${sessionsSearch(filter)}`, AdminSessionListResponseSchema, { signal }),
      placeholderData: keepPreviousData,
    }),
  users: () =>
    queryOptions({
      queryKey: adminKeys.users(),
      queryFn: ({ signal }) => apiRequest('/api/admin/users', AdminUserListResponseSchema, { signal }),
    }),
  store: () =>
    queryOptions({
      queryKey: adminKeys.store(),
      queryFn: ({ signal }) => apiRequest('/api/admin/store', StoreHealthResponseSchema, { signal }),
    }),
};

export const adminApi = {
  revokeSession: (handle: string) => apiCommand(`/api/admin/sessions/${encodeURIComponent(handle)}`, { method: 'DELETE' }),
  revokeUserSessions: (userId: string) =>
    apiRequest(`/api/admin/users/${encodeURIComponent(userId)}/sessions`, AdminRevokeUserSessionsResponseSchema, { method: 'DELETE' }),
  setUserDisabled: (userId: string, isDisabled: boolean) =>
    apiRequest(`/api/admin/users/${encodeURIComponent(userId)}/${isDisabled ? 'disable' : 'enable'}`, AdminUserResponseSchema, {
      method: 'POST',
    }),
};
