/** Apart from messages/activity: only the lazily loaded export links need these. */
export const activityExportMessages = {
  download: 'Download activity',
  downloadCsvLabel: 'Download activity as CSV',
} as const;
