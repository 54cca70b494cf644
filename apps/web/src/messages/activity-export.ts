/** Apart from messages/activity: only the lazily loaded export links and the admin page need these. */
export const activityExportMessages = {
  download: 'Download activity',
  downloadCsvLabel: 'Download activity as CSV',
  adminTitle: 'Activity export',
  adminLead: 'Every account’s activity, oldest first, streamed as it is read. Leave a field empty for no bound.',
  format: 'Format',
  formats: { ndjson: 'NDJSON (one JSON object a line)', csv: 'CSV' },
  from: 'From (UTC day)',
  to: 'To (UTC day, included)',
  email: 'Only this account (email)',
  adminExport: 'Export activity',
} as const;
