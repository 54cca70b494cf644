/**
 * Retryable writes, as a replica set member keeps them: a write carrying `lsid` + `txnNumber` is
 * executed once per (session, txnNumber), and a retry (after a network error lost the reply) gets
 * the first execution's reply instead of running again.
 */
import type { Binary, Document, Long } from 'bson';
import { MongoCommandError } from '../errors';
import { bsonType } from '../bson/values';
import { isPlainDoc } from '../bson/paths';

const RETRYABLE_COMMANDS = new Set(['insert', 'update', 'delete', 'findAndModify', 'findandmodify']);
const MAX_REMEMBERED_SESSIONS = 10_000;

interface ExecutedWrite {
  txnNumber: number;
  reply: Document | Promise<Document>;
}

function txnNumberOf(value: unknown): number {
  // Drivers count from 1 per session: far below 2^53.
  if (bsonType(value) === 'Long') return (value as Long).toNumber();
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  throw new MongoCommandError(14, "BSON field 'txnNumber' is the wrong type, expected type 'long'");
}

function sessionKey(lsid: unknown): string {
  const id = isPlainDoc(lsid) ? lsid.id : undefined;
  if (bsonType(id) !== 'Binary') throw new MongoCommandError(72, 'Transaction number requires a session ID to also be specified');
  return (id as Binary).toString('hex');
}

/** Retryable writes: the last write of each logical session, and its reply. */
export class RetryableWrites {
  private readonly sessions = new Map<string, ExecutedWrite>();

  /** Runs `execute` for a write carrying `txnNumber` at most once per (session, txnNumber). */
  run(name: string, cmd: Document, execute: () => Document | Promise<Document>): Document | Promise<Document> {
    if (!RETRYABLE_COMMANDS.has(name)) {
      throw new MongoCommandError(
        50768,
        `txnNumber may only be provided for multi-document transactions and retryable write commands. autocommit:false was not provided, and ${name} is not a retryable write command.`,
      );
    }
    const key = sessionKey(cmd.lsid);
    const txnNumber = txnNumberOf(cmd.txnNumber);
    const prev = this.sessions.get(key);
    if (prev) {
      if (txnNumber < prev.txnNumber) {
        throw new MongoCommandError(
          225,
          `Retryable write with txnNumber ${txnNumber} is prohibited on session ${key} because a newer retryable write with txnNumber ${prev.txnNumber} has already started on this session.`,
        );
      }
      // A retry (its first attempt's reply was lost, or is still on its way): not run again.
      if (txnNumber === prev.txnNumber) return prev.reply;
      this.sessions.delete(key);
    }
    const reply = execute();
    const entry: ExecutedWrite = { txnNumber, reply };
    this.sessions.set(key, entry);
    if (this.sessions.size > MAX_REMEMBERED_SESSIONS) this.sessions.delete(this.sessions.keys().next().value as string);
    // A command that failed as a whole did nothing: a retry runs it again.
    const forgetFailure = (outcome: Document | undefined): void => {
      if (outcome?.ok !== 1 && this.sessions.get(key) === entry) this.sessions.delete(key);
    };
    if (reply instanceof Promise) reply.then(forgetFailure, () => forgetFailure(undefined));
    else forgetFailure(reply);
    return reply;
  }

  /** endSessions: forget what those sessions wrote. */
  forget(ids: unknown): void {
    if (!Array.isArray(ids)) return;
    for (const lsid of ids) {
      try {
        this.sessions.delete(sessionKey(lsid));
      } catch {
        // not a session id: nothing to forget
      }
    }
  }
}
