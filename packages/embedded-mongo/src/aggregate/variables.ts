/**
 * `let` variables of find / aggregate / update / delete / findAndModify: names checked as mongod
 * checks user variable names, values evaluated once (they are expressions, e.g. `$$NOW`).
 */
import { MongoCommandError } from '../errors';
import { evaluateExpression } from './mingo';
import { isPlainDoc } from '../bson/paths';
import type { Doc } from '../bson/paths';

function validateName(name: string): void {
  // CURRENT is the one system variable a user may rebind.
  if (name === 'CURRENT') return;
  if (name.length === 0) throw new MongoCommandError(16866, 'empty variable names are not allowed');
  const first = name.charCodeAt(0);
  // A user variable starts with a lowercase ASCII letter or any non-ASCII character.
  if (!((first >= 97 && first <= 122) || first > 127)) {
    throw new MongoCommandError(16867, `'${name}' starts with an invalid character for a user variable name`);
  }
  for (const ch of name) {
    if (!/[A-Za-z0-9_]/.test(ch) && ch.charCodeAt(0) <= 127) {
      throw new MongoCommandError(16868, `'${name}' contains an invalid character for a variable name: '${ch}'`);
    }
  }
}

/** Parses and evaluates a `let` document; `undefined` when there is none. */
export function parseLet(raw: unknown): Doc | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (!isPlainDoc(raw)) throw new MongoCommandError(14, "BSON field 'let' is the wrong type, expected type 'object'");
  const names = Object.keys(raw);
  if (names.length === 0) return undefined;
  for (const name of names) validateName(name);
  const values = evaluateExpression(raw);
  return isPlainDoc(values) ? values : {};
}

/** Statement-level constants (`c`) override the command's `let` (what mongod does for update). */
export function mergeVariables(outer: Doc | undefined, inner: unknown): Doc | undefined {
  const own = parseLet(inner);
  if (!own) return outer;
  return outer ? { ...outer, ...own } : own;
}
