import { ConfigError, loadToolConfig } from '../config';
import { verifyActivityChain } from '../activity/verify-chain';
import type { ChainReport } from '../activity/verify-chain';
import { ToolError, openToolDatabase } from './tool-database';

const USAGE = 'Usage: npm run activity:verify [-- --json]';

/** Exit codes: 0 the trail is intact, 1 an entry was changed or removed, 2 bad usage or configuration, 3 database unreachable. */
function fail(message: string, code: number): never {
  process.stderr.write(`${message}\n`);
  process.exit(code);
}

const entries = (count: number) => `${count} ${count === 1 ? 'entry' : 'entries'}`;

function summary(report: ChainReport): string {
  const lines: string[] = [];
  if (report.problem) {
    const { seq, id, kind, detail } = report.problem;
    lines.push(`TAMPERED: entry ${seq}${id ? ` (id ${id})` : ''} was ${kind}: ${detail}`);
    lines.push(`${entries(report.checked)} before it verified.`);
  } else {
    lines.push(`OK: ${report.checked} chained ${report.checked === 1 ? 'entry' : 'entries'} verified (${report.anonymised} anonymised).`);
  }
  if (report.expired > 0) lines.push(`${entries(report.expired)} before the first have expired (ACTIVITY_RETENTION_DAYS); the chain starts after them.`);
  if (report.legacy > 0) lines.push(`${entries(report.legacy)} recorded before the chain existed skipped (not tamper-evident).`);
  if (report.head && report.problem) {
    lines.push(`last intact entry: ${report.head.seq} at ${report.head.at}, hash ${report.head.hash}`);
  } else if (report.head) {
    lines.push(`head: entry ${report.head.seq} at ${report.head.at}`);
    lines.push(`head hash: ${report.head.hash}`);
    lines.push('Keep the head hash somewhere the database cannot reach: a later run must still reach it.');
  }
  return `${lines.join('\n')}\n`;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args.some((arg) => arg !== '--json')) fail(USAGE, 2);
  let config;
  try {
    config = loadToolConfig();
  } catch (error) {
    if (error instanceof ConfigError) fail(error.message, 2);
    throw error;
  }
  const database = await openToolDatabase(config);
  let report: ChainReport;
  try {
    report = await verifyActivityChain(database.connection, { retentionSeconds: config.activityRetentionSeconds });
  } finally {
    await database.close();
  }
  process.stdout.write(args.includes('--json') ? `${JSON.stringify(report)}\n` : `Activity trail in ${database.source}\n${summary(report)}`);
  process.exitCode = report.isIntact ? 0 : 1;
}

main().catch((error: unknown) => {
  if (error instanceof ToolError) fail(error.message, error.exitCode);
  fail(`activity:verify failed: ${error instanceof Error ? error.message : String(error)}`, 3);
});
