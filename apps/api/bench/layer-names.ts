/** The parts of app.ts's middleware that bench/layers.ts takes out one at a time. */
export const LAYERS = ['request-log', 'security-headers', 'api-guards', 'lifecycle'] as const;
export type Layer = (typeof LAYERS)[number];
