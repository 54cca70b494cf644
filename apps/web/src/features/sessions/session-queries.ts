import { queryOptions } from '@tanstack/react-query';
import type {
  CurrentSessionResponse,
  ExtendSessionResponse,
  RenameDeviceRequest,
  RenameDeviceResponse,
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
      queryFn: () => apiRequest<SessionListResponse>('/api/sessions'),
    }),
  current: () =>
    queryOptions({
      queryKey: sessionKeys.current(),
      queryFn: () => apiRequest<CurrentSessionResponse>('/api/sessions/current'),
    }),
};

export const sessionApi = {
  revoke: (handle: string) => apiCommand(`/api/sessions/${encodeURIComponent(handle)}`, { method: 'DELETE' }),
  revokeOthers: () => apiRequest<RevokeOthersResponse>('/api/sessions/revoke-others', { method: 'POST' }),
  /** Names the browser the session runs in; every session of that browser shows the name. */
  rename: ({ handle, deviceName }: { handle: string } & RenameDeviceRequest) =>
    apiRequest<RenameDeviceResponse>(`/api/sessions/${encodeURIComponent(handle)}`, { method: 'PATCH', body: { deviceName } }),
  extend: () => apiRequest<ExtendSessionResponse>('/api/sessions/current/extend', { method: 'POST' }),
};
