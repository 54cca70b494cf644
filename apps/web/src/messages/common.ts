export const commonMessages = {
  cancel: 'Cancel',
  save: 'Save',
  unknown: 'Unknown',
  yes: 'Yes',
  no: 'No',
  loading: (what: string) => `Loading ${what}…`,
} as const;
