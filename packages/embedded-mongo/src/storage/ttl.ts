/** TTL monitor: deletes documents whose TTL-indexed date + expireAfterSeconds has passed. */
import { isPlainDoc, pathValues } from '../bson/paths';
import type { Doc } from '../bson/paths';
import { Effects } from './engine';
import type { Engine } from './engine';
import type { Logger } from '../logger';

function expiresAt(doc: Doc, parts: string[], seconds: number): number | undefined {
  let earliest: number | undefined;
  for (const value of pathValues(doc, parts)) {
    for (const element of Array.isArray(value) ? value : [value]) {
      if (element instanceof Date) {
        const at = element.getTime() + seconds * 1000;
        if (earliest === undefined || at < earliest) earliest = at;
      }
    }
  }
  return earliest;
}

/** One sweep; returns the number of documents removed. */
export function sweepExpired(engine: Engine, logger: Logger, now = Date.now()): number {
  const effects = new Effects();
  let removed = 0;
  for (const coll of engine.allCollections()) {
    const ttlIndexes = [...coll.indexes.values()].filter((index) => index.spec.expireAfterSeconds !== undefined);
    if (ttlIndexes.length === 0) continue;
    const expired: Doc[] = [];
    for (const doc of coll.docs.values()) {
      if (!isPlainDoc(doc)) continue;
      for (const index of ttlIndexes) {
        const field = index.fields[0];
        if (!field) continue;
        const at = expiresAt(doc, field.parts, index.spec.expireAfterSeconds ?? 0);
        if (at !== undefined && at <= now) {
          expired.push(doc);
          break;
        }
      }
    }
    for (const doc of expired) engine.remove(effects, coll, doc);
    removed += expired.length;
  }
  const durable = engine.commit(effects);
  if (durable) durable.catch((e: unknown) => logger.warn(`TTL delete could not be logged: ${(e as Error).message}`));
  return removed;
}

export function startTtlMonitor(engine: Engine, logger: Logger, intervalMs: number): NodeJS.Timeout {
  const timer = setInterval(() => {
    try {
      sweepExpired(engine, logger);
    } catch (error) {
      logger.warn(`TTL monitor failed: ${(error as Error).message}`);
    }
  }, intervalMs);
  timer.unref();
  return timer;
}
