/**
 * The options that shape how a command's filter is evaluated and planned, read the same way for
 * find / count / distinct / aggregate / update / delete / findAndModify: `collation` (else the
 * collection's default), `hint`, and `let` variables.
 */
import type { Document } from 'bson';
import { effectiveCollation } from '../bson/collation';
import type { Collation } from '../bson/collation';
import type { MatchOptions } from '../filter/match';
import { parseLet } from '../aggregate/variables';
import type { Doc } from '../bson/paths';
import type { Collection, PlanOptions } from '../storage/collection';

export interface QueryOptions extends MatchOptions, PlanOptions {
  collation: Collation | undefined;
  hint: unknown;
  variables: Doc | undefined;
}

export const NO_QUERY_OPTIONS: QueryOptions = { collation: undefined, hint: undefined, variables: undefined };

/**
 * `source` holds `collation` / `hint` (a command, or one statement of a write batch); `variables`
 * are the already evaluated `let` of the command.
 */
export function queryOptions(source: Document, coll: Collection | undefined, variables: Doc | undefined): QueryOptions {
  return { collation: effectiveCollation(source.collation, coll?.collation), hint: source.hint, variables };
}

/** Options for a whole read command, `let` included. */
export function readOptions(cmd: Document, coll: Collection | undefined): QueryOptions {
  return queryOptions(cmd, coll, parseLet(cmd.let));
}
