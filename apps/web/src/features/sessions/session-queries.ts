import { queryOptions } from '@tanstack/react-query';
import type {
  CurrentSessionResponse,
  ExtendSessionResponse,
  RevokeOthersResponse,
  SessionListResponse,
} from '@gatehouse/types/sessions';
import { apiCommand, apiRequest } from '../../lib/api-client';

export const sessionKeys = {
  all: ['sessions'] as const,
  list: () => [...sessionKeys.all, 'list'] as const,
  current: () => [...sessionKeys.all, 'current'] as const,
};

export const sessionQueries = {
  list: () =>
    queryOptions({
      queryKey: sessionKeys.list(),
      queryFn: ({ signal }) => apiRequest<SessionListResponse>('/api/sessions', { signal }),
    }),
  current: () =>
    queryOptions({
      queryKey: sessionKeys.current(),
      queryFn: ({ signal }) => apiRequest<CurrentSessionResponse>('/api/sessions/current', { signal }),
    }),
};

export const sessionApi = {
  revoke: (handle: string) => apiCommand(`/api/sessions/${encodeURIComponent(handle)}`, { method: 'DELETE' }),
  revokeOthers: () => apiRequest<RevokeOthersResponse>('/api/sessions/revoke-others', { method: 'POST' }),
  extend: () => apiRequest<ExtendSessionResponse>('/api/sessions/current/extend', { method: 'POST' }),
};
