import type { ActivityExportFormat, AdminActivityExportQuery } from '@gatehouse/types/activity';

/** Plain links: the browser downloads the stream itself (the session cookie goes along), nothing is held in memory. */
export function activityExportUrl(format: ActivityExportFormat): string {
  return `/api/activity/export?${new URLSearchParams({ format }).toString()}`;
}

/** Empty filters are left out: the API reads an absent one as "no bound". */
export function adminActivityExportUrl(
  query: { format: ActivityExportFormat } & Partial<Record<keyof Omit<AdminActivityExportQuery, 'format'>, string>>,
): string {
  const params = new URLSearchParams(
    Object.entries(query).filter((entry): entry is [string, string] => typeof entry[1] === 'string' && entry[1].trim() !== ''),
  );
  return `/api/admin/activity/export?${params.toString()}`;
}
