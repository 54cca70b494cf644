/**
 * The baseline app (bench/baseline-app.ts) as a server: `tsx bench/baseline-server.ts <port>
 * [memory|connect-mongo|connect-mongo-defaults]`; prints one JSON line `{"port": …}` once listening.
 */
import { createServer } from 'node:http';
import { createBaselineApp } from './baseline-app';
import type { BaselineStore } from './baseline-app';

const app = await createBaselineApp((process.argv[3] ?? 'memory') as BaselineStore);
const server = createServer(app);
server.keepAliveTimeout = 5000;
server.listen(Number(process.argv[2] ?? 0), '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`${JSON.stringify({ port: typeof address === 'object' && address ? address.port : 0 })}\n`);
});
process.once('SIGTERM', () => server.close(() => process.exit(0)));
