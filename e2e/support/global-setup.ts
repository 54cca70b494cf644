import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { e2eDataDir, EMBEDDED_MONGO_FILE } from './server-env';

const RUN_DIR_PREFIX = 'gatehouse-e2e-';

/** A run whose server (it records its pid next to the data) is still up, e.g. a second checkout's suite. */
function isInUse(dir: string): boolean {
  const marker = join(dir, EMBEDDED_MONGO_FILE);
  if (!existsSync(marker)) return false;
  try {
    const { pid } = JSON.parse(readFileSync(marker, 'utf8')) as { pid?: unknown };
    if (typeof pid !== 'number') return false;
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * The run's data directory cannot be removed at teardown (the server holds it until Playwright stops
 * it), so each run removes what finished runs left behind; the latest stays for looking into a failure.
 */
export default function removeEarlierRunData(): void {
  const current = basename(e2eDataDir());
  for (const entry of readdirSync(tmpdir())) {
    if (!entry.startsWith(RUN_DIR_PREFIX) || entry === current) continue;
    const dir = join(tmpdir(), entry);
    if (!isInUse(dir)) rmSync(dir, { recursive: true, force: true });
  }
}
