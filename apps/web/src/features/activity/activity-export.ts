import type { ActivityExportFormat } from '@gatehouse/types/activity';

/** A plain link: the browser downloads the stream itself (the session cookie goes along), the page holds none of it. */
export function activityExportUrl(format: ActivityExportFormat): string {
  return `/api/activity/export?${new URLSearchParams({ format }).toString()}`;
}
