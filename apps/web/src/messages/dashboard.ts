export const dashboardMessages = {
  hello: (name: string) => `Hello, ${name}`,
  lead: 'Where you are signed in, and what happened lately.',
} as const;
