import type { Connection } from 'mongoose';
import { ACTIVITY_COLLECTION, ACTIVITY_CURSOR_BATCH } from './activity-log';
import { CHAIN_VERSION, GENESIS_HASH, PERSONAL_KEYS, entryHash, personalDigest } from './chain';
import type { ActivityDoc } from './chain';

export interface ChainHead {
  seq: number;
  hash: string;
  at: string;
}

/** The first entry found changed or removed: `seq` is the entry's place in the chain. */
export interface ChainBreak {
  seq: number;
  /** The stored entry's id; absent when the entry itself is gone. */
  id?: string;
  kind: 'changed' | 'removed';
  detail: string;
}

export interface ChainReport {
  isIntact: boolean;
  /** Chained entries read and checked. */
  checked: number;
  /** Of those, anonymised ones (personal fields removed, still verified). */
  anonymised: number;
  /** Entries recorded before the chain existed (no `seq`): outside the chain, not checked. */
  legacy: number;
  /** Entries before the first one present that retention removed (their time was up). */
  expired: number;
  /** The newest entry: keep its hash elsewhere to detect the trail being rewritten or cut short later. */
  head: ChainHead | null;
  problem: ChainBreak | null;
}

const KNOWN_KEYS = new Set<string>([
  '_id',
  'type',
  'at',
  'actor',
  'isSuspicious',
  'reason',
  'authMethods',
  'providerName',
  ...PERSONAL_KEYS,
  'v',
  'seq',
  'prevHash',
  'prevAt',
  'personalDigest',
  'hash',
  'anonymised',
]);

/** Why one entry does not match what was sealed, or null when it does. */
function entryProblem(doc: ActivityDoc): string | null {
  const unknown = Object.keys(doc).find((key) => !KNOWN_KEYS.has(key));
  if (unknown !== undefined) return `unexpected field "${unknown}"`;
  if (doc.v !== CHAIN_VERSION || typeof doc.hash !== 'string' || typeof doc.prevHash !== 'string' || typeof doc.personalDigest !== 'string') {
    return 'chain fields missing or altered';
  }
  if (!(doc.at instanceof Date) || (doc.prevAt !== null && !(doc.prevAt instanceof Date))) return 'dates altered';
  if (doc.anonymised === true) {
    const left = PERSONAL_KEYS.find((key) => doc[key] !== undefined);
    if (left !== undefined) return `anonymised, yet "${left}" is present`;
  } else {
    if (doc.anonymised !== undefined) return 'anonymised marker altered';
    if (typeof doc.userId !== 'string' || typeof doc.personalSalt !== 'string') return 'personal fields removed without the anonymised marker';
    const personal = {
      userId: doc.userId,
      ip: doc.ip ?? null,
      device: doc.device ?? null,
      ...(doc.passkeyName !== undefined ? { passkeyName: doc.passkeyName } : {}),
    };
    if (personalDigest(personal, doc.personalSalt) !== doc.personalDigest) return 'personal fields (user, IP, device or passkey name) altered';
  }
  const link = { seq: doc.seq ?? 0, prevHash: doc.prevHash, prevAt: doc.prevAt ?? null };
  if (entryHash(doc, link, doc.personalDigest) !== doc.hash) return 'content does not match its hash';
  return null;
}

function describe(doc: ActivityDoc): string {
  const at = doc.at instanceof Date ? doc.at.toISOString() : String(doc.at);
  return `${doc.type} at ${at}`;
}

/**
 * Walks the chain oldest first from a cursor (constant memory) and stops at the first break. Retention
 * removes entries from the start; an entry before the first one present whose time was not yet up
 * (`prevAt` within `retentionSeconds` of `now`) was removed behind the app's back.
 */
export async function verifyActivityChain(
  connection: Connection,
  { retentionSeconds, now = new Date() }: { retentionSeconds: number; now?: Date },
): Promise<ChainReport> {
  const collection = connection.collection<ActivityDoc>(ACTIVITY_COLLECTION);
  const report: ChainReport = {
    isIntact: true,
    checked: 0,
    anonymised: 0,
    legacy: await collection.countDocuments({ seq: { $exists: false } }),
    expired: 0,
    head: null,
    problem: null,
  };
  const fail = (problem: ChainBreak): ChainReport => ({ ...report, isIntact: false, problem });
  const retentionStart = now.getTime() - retentionSeconds * 1000;

  let previous: { seq: number; hash: string } | null = null;
  const cursor = collection
    .find({ seq: { $exists: true } })
    .sort({ seq: 1 })
    .batchSize(ACTIVITY_CURSOR_BATCH);
  try {
    for await (const doc of cursor) {
      const id = doc._id.toHexString();
      const seq = doc.seq;
      if (typeof seq !== 'number' || !Number.isInteger(seq) || seq < 1)
        return fail({ seq: previous ? previous.seq + 1 : 1, id, kind: 'changed', detail: 'sequence number altered' });
      const problem = entryProblem(doc);
      if (problem) return fail({ seq, id, kind: 'changed', detail: `${describe(doc)}: ${problem}` });
      if (previous === null) {
        if (seq === 1 && doc.prevHash !== GENESIS_HASH)
          return fail({ seq, id, kind: 'changed', detail: `${describe(doc)}: the first entry does not start the chain` });
        if (seq > 1) {
          if (doc.prevAt instanceof Date && doc.prevAt.getTime() >= retentionStart) {
            return fail({
              seq: seq - 1,
              kind: 'removed',
              detail: `recorded at ${doc.prevAt.toISOString()}, still within retention; the chain now starts at entry ${seq}`,
            });
          }
          report.expired = seq - 1;
        }
      } else if (seq !== previous.seq + 1) {
        return fail({ seq: previous.seq + 1, kind: 'removed', detail: `entry ${seq} (${describe(doc)}) follows entry ${previous.seq}` });
      } else if (doc.prevHash !== previous.hash) {
        return fail({ seq: previous.seq, kind: 'changed', detail: `entry ${seq} (${describe(doc)}) names another entry ${previous.seq} than the one stored` });
      }
      report.checked += 1;
      if (doc.anonymised === true) report.anonymised += 1;
      previous = { seq, hash: doc.hash as string };
      report.head = { seq, hash: doc.hash as string, at: doc.at.toISOString() };
    }
  } finally {
    await cursor.close();
  }
  return report;
}
