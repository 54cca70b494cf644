import { queryOptions } from '@tanstack/react-query';
import {
  CurrentSessionResponseSchema,
  ExtendSessionResponseSchema,
  RevokeOthersResponseSchema,
  SessionListResponseSchema,
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
      queryFn: ({ signal }) => apiRequest('/api/sessions', SessionListResponseSchema, { signal }),
    }),
  current: () =>
    queryOptions({
      queryKey: sessionKeys.current(),
      queryFn: ({ signal }) => apiRequest('/api/sessions/current', CurrentSessionResponseSchema, { signal }),
    }),
};

export const sessionApi = {
  revoke: (handle: string) => apiCommand(`/api/sessions/${encodeURIComponent(handle)}`, { method: 'DELETE' }),
  revokeOthers: () => apiRequest('/api/sessions/revoke-others', RevokeOthersResponseSchema, { method: 'POST' }),
  extend: () => apiRequest('/api/sessions/current/extend', ExtendSessionResponseSchema, { method: 'POST' }),
};
