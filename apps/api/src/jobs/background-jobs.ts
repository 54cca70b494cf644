import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Logger } from 'pino';

export interface BackgroundJobs {
  /**
   * Runs `job` after the current request has answered, off its response path: work whose duration
   * must not show in the response time (whether an account exists, S18/S34), and mail delivery, which
   * can be slow. A failure is logged, never thrown at the caller.
   */
  run(label: string, job: () => Promise<void>): void;
  /** Resolves once every job started so far (and those they start) has finished: shutdown and tests wait on it. */
  settled(): Promise<void>;
}

export function createBackgroundJobs(logger: Logger): BackgroundJobs {
  const running = new Set<Promise<void>>();
  return {
    run(label, job) {
      // Started on a later turn, so the response the caller is about to send is written first.
      const done: Promise<void> = nextTurn()
        .then(job)
        .catch((error: unknown) => {
          logger.error(
            { job: label, err: { type: error instanceof Error ? error.name : typeof error, message: error instanceof Error ? error.message : String(error) } },
            `background job failed: ${label}`,
          );
        })
        .finally(() => running.delete(done));
      running.add(done);
    },
    async settled() {
      while (running.size > 0) await Promise.allSettled([...running]);
    },
  };
}
