import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    mongoUri: string;
  }
}

/**
 * One database server for the whole run: the embedded engine, or a real MongoDB when MONGODB_URI is
 * set. Every test app then uses a fresh database on it, so files can run in parallel.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const external = process.env.MONGODB_URI;
  if (external) {
    project.provide('mongoUri', external);
    return async () => {};
  }
  const { start } = await import('@gatehouse/embedded-mongo');
  const engine = await start({ ttlMonitorIntervalMs: 1000 });
  project.provide('mongoUri', engine.uri);
  return () => engine.stop();
}
