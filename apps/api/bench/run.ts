import { runLoginTiming } from './login-timing';

/** `npm run bench -w @gatehouse/api`: against MONGODB_URI, or a throwaway embedded engine. */
async function main(): Promise<void> {
  let stop: (() => Promise<void>) | undefined;
  let uri = process.env.MONGODB_URI;
  if (!uri) {
    const { start } = await import('@gatehouse/embedded-mongo');
    const engine = await start({});
    uri = engine.uri;
    stop = () => engine.stop();
  }
  try {
    const ok = await runLoginTiming(uri);
    process.exitCode = ok ? 0 : 1;
  } finally {
    await stop?.();
  }
}

await main();
