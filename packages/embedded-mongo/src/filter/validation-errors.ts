/**
 * Why a document fails a collection's validator, in the shape mongod (5.0+) reports it as
 * `errInfo.details` of a DocumentValidationFailure (121): per failing clause its `operatorName`,
 * the clause as the validator wrote it (`specifiedAs`), a `reason` and the `consideredValue(s)` at
 * its path; `$and`/`$or`/`$nor` list their clauses by index, `$not` nests the clause it negates
 * (whose reasons are then inverted: "comparison succeeded").
 *
 * Covered: comparisons (`$eq` written or implied, `$ne`, `$gt`, `$gte`, `$lt`, `$lte`), `$in`,
 * `$nin`, `$regex`, `$and`, `$or`, `$nor`, `$not`. A validator using anything else gets no details
 * (errInfo still names the document) rather than details mongod would word differently.
 */
import { isPlainDoc, pathValues, splitPath } from '../bson/paths';
import type { Doc } from '../bson/paths';
import { bsonType } from '../bson/values';
import { compileFilter } from './match';
import type { MatchOptions } from './match';

type Clause =
  | { kind: 'logical'; operator: '$and' | '$or' | '$nor'; children: Doc[] }
  | { kind: 'leaf'; path: string; operator: string; filter: Doc }
  | { kind: 'not'; path: string; negated: Doc; filter: Doc }
  | { kind: 'unexplained' };

/** [reason when the clause fails, reason when a negation fails because it holds] */
const REASONS: Record<string, [string, string]> = {
  $eq: ['comparison failed', 'comparison succeeded'],
  $gt: ['comparison failed', 'comparison succeeded'],
  $gte: ['comparison failed', 'comparison succeeded'],
  $lt: ['comparison failed', 'comparison succeeded'],
  $lte: ['comparison failed', 'comparison succeeded'],
  $ne: ['comparison succeeded', 'comparison failed'],
  $in: ['no matching value found in array', 'matching value found in array'],
  $nin: ['matching value found in array', 'no matching value found in array'],
};

const isRegex = (value: unknown): boolean => value instanceof RegExp || bsonType(value) === 'BSONRegExp';

/** `details` for a document that fails `validator`, or undefined when the validator uses what is not covered. */
export function validationFailureDetails(validator: Doc, doc: Doc, options: MatchOptions): Doc | undefined {
  return explainFilter(validator, doc, options, false);
}

/** The clauses of a filter document, flattened as mongod parses them (each field operator its own clause). */
function clausesOf(filter: Doc): Clause[] {
  const clauses: Clause[] = [];
  for (const key of Object.keys(filter)) {
    const condition: unknown = filter[key];
    if (key === '$comment') continue;
    if (key === '$and' || key === '$or' || key === '$nor') {
      const children = Array.isArray(condition) && condition.every(isPlainDoc) ? condition : undefined;
      clauses.push(children ? { kind: 'logical', operator: key, children } : { kind: 'unexplained' });
    } else if (key.startsWith('$')) {
      clauses.push({ kind: 'unexplained' });
    } else if (isPlainDoc(condition) && Object.keys(condition)[0]?.startsWith('$')) {
      for (const operator of Object.keys(condition)) clauses.push(fieldClause(key, operator, condition[operator]));
    } else {
      clauses.push({ kind: 'leaf', path: key, operator: isRegex(condition) ? '$regex' : '$eq', filter: { [key]: condition } });
    }
  }
  return clauses;
}

function fieldClause(path: string, operator: string, argument: unknown): Clause {
  if (operator === '$not') {
    return isPlainDoc(argument) ? { kind: 'not', path, negated: argument, filter: { [path]: { $not: argument } } } : { kind: 'unexplained' };
  }
  if (operator !== '$regex' && !Object.hasOwn(REASONS, operator)) return { kind: 'unexplained' };
  return { kind: 'leaf', path, operator, filter: { [path]: { [operator]: argument } } };
}

function explainFilter(filter: Doc, doc: Doc, options: MatchOptions, inverted: boolean): Doc | undefined {
  const clauses = clausesOf(filter);
  if (clauses.length === 1) return explainClause(clauses[0] as Clause, doc, options, inverted);
  return listClauses(clauses, doc, options, inverted);
}

function matches(clause: Clause, doc: Doc, options: MatchOptions): boolean {
  if (clause.kind === 'unexplained') return false;
  const filter = clause.kind === 'logical' ? { [clause.operator]: clause.children } : clause.filter;
  return compileFilter(filter, options)(doc);
}

/**
 * A filter's implicit `$and` (several fields, or several operators on one): the clauses that made
 * it fail, or (when it is negated and held) the ones that made it hold.
 */
function listClauses(clauses: Clause[], doc: Doc, options: MatchOptions, inverted: boolean): Doc | undefined {
  const listsHolding = inverted;
  const listed: Doc[] = [];
  for (const [index, clause] of clauses.entries()) {
    if (matches(clause, doc, options) !== listsHolding) continue;
    const details = explainClause(clause, doc, options, listsHolding);
    if (!details) return undefined;
    listed.push({ index, details });
  }
  return { operatorName: '$and', [listsHolding ? 'clausesSatisfied' : 'clausesNotSatisfied']: listed };
}

function explainClause(clause: Clause, doc: Doc, options: MatchOptions, inverted: boolean): Doc | undefined {
  switch (clause.kind) {
    case 'unexplained':
      return undefined;
    case 'logical':
      return listChildren(clause, doc, options, inverted);
    case 'not': {
      const details = explainFilter({ [clause.path]: clause.negated }, doc, options, !inverted);
      return details && { operatorName: '$not', details };
    }
    case 'leaf':
      return explainLeaf(clause, doc, inverted);
  }
}

/**
 * An explicit `$and`/`$or`/`$nor`, whose children are whole filters: the ones that made it fail
 * (`$nor` fails through those that hold, explained as negations), or, negated, made it hold.
 */
function listChildren(clause: Extract<Clause, { kind: 'logical' }>, doc: Doc, options: MatchOptions, inverted: boolean): Doc | undefined {
  const listsHolding = clause.operator === '$nor' ? !inverted : inverted;
  const listed: Doc[] = [];
  for (const [index, child] of clause.children.entries()) {
    if (compileFilter(child, options)(doc) !== listsHolding) continue;
    const details = explainFilter(child, doc, options, listsHolding);
    if (!details) return undefined;
    listed.push({ index, details });
  }
  return { operatorName: clause.operator, [listsHolding ? 'clausesSatisfied' : 'clausesNotSatisfied']: listed };
}

function explainLeaf(clause: Extract<Clause, { kind: 'leaf' }>, doc: Doc, inverted: boolean): Doc | undefined {
  const reached = pathValues(doc, splitPath(clause.path));
  const details: Doc = { operatorName: clause.operator, specifiedAs: clause.filter };
  if (reached.length === 0) {
    // A missing field fails every covered operator that it does not satisfy; negated, mongod words it otherwise.
    if (inverted) return undefined;
    details.reason = 'field was missing';
    return details;
  }
  if (clause.operator === '$regex') {
    if (inverted) return undefined;
    details.reason = 'regular expression did not match';
  } else {
    const reasons = REASONS[clause.operator] as [string, string];
    details.reason = inverted ? reasons[1] : reasons[0];
  }
  const considered: unknown[] = [];
  let throughArray = reached.length > 1;
  for (const value of reached) {
    if (Array.isArray(value)) {
      throughArray = true;
      considered.push(...value);
    } else {
      considered.push(value);
    }
  }
  if (throughArray) details.consideredValues = considered;
  else details.consideredValue = considered[0];
  return details;
}
