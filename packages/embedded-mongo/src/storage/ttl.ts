/** TTL monitor: deletes documents whose TTL-indexed date + expireAfterSeconds has passed. */
import { isPlainDoc, pathValues } from '../query/values';
import type { Doc } from '../query/values';
import { Effects } from './engine';
import type { Engine } from './engine';
import type { Logger } from '../logger';

function expiresAt(doc: Doc, parts: string[], seconds: number): number | undefined {
  let min: number | undefined;
  for (const v of pathValues(doc, parts)) {
    for (const x of Array.isArray(v) ? v : [v]) {
      if (x instanceof Date) {
        const t = x.getTime() + seconds * 1000;
        if (min === undefined || t < min) min = t;
      }
    }
  }
  return min;
}

/** One sweep; returns the number of documents removed. */
export function sweepExpired(engine: Engine, logger: Logger, now = Date.now()): number {
  const fx = new Effects();
  let removed = 0;
  for (const colls of engine.dbs.values()) {
    for (const c of colls.values()) {
      const ttl = [...c.indexes.values()].filter((i) => i.spec.expireAfterSeconds !== undefined);
      if (ttl.length === 0) continue;
      const doomed: Doc[] = [];
      for (const d of c.docs.values()) {
        if (!isPlainDoc(d)) continue;
        for (const idx of ttl) {
          const f = idx.fields[0];
          if (!f) continue;
          const at = expiresAt(d, f.parts, idx.spec.expireAfterSeconds ?? 0);
          if (at !== undefined && at <= now) {
            doomed.push(d);
            break;
          }
        }
      }
      for (const d of doomed) engine.remove(fx, c, d);
      removed += doomed.length;
    }
  }
  const p = engine.commit(fx);
  if (p) p.catch((e: unknown) => logger.warn(`TTL delete could not be logged: ${(e as Error).message}`));
  return removed;
}

export function startTtlMonitor(engine: Engine, logger: Logger, intervalMs: number): NodeJS.Timeout {
  const t = setInterval(() => {
    try {
      sweepExpired(engine, logger);
    } catch (e) {
      logger.warn(`TTL monitor failed: ${(e as Error).message}`);
    }
  }, intervalMs);
  t.unref();
  return t;
}
