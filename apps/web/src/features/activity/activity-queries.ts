import { queryOptions } from '@tanstack/react-query';
import type { ActivityListResponse } from '@gatehouse/types/activity';
import { apiRequest } from '../../lib/api-client';

export const activityKeys = {
  all: ['activity'] as const,
  list: () => [...activityKeys.all, 'list'] as const,
};

export const activityQueries = {
  list: () =>
    queryOptions({
      queryKey: activityKeys.list(),
      queryFn: () => apiRequest<ActivityListResponse>('/api/activity'),
    }),
};
