/**
 * The one door to mingo (aggregation stages, expression projections, `$expr`).
 *
 * mingo builds its objects by plain assignment and refuses `__proto__` in field paths, so a
 * field called `__proto__` — legal in MongoDB — would either fail or become the prototype of
 * mingo's copy and vanish from the result (it never reaches `Object.prototype`). So documents
 * and stage specifications cross this door with `__proto__` renamed to a stand-in that no
 * BSON field name can be (it contains NUL), and results come back with the real name.
 * mingo's own errors become BadValue rather than internal errors.
 *
 * mingo matches regular expressions with JavaScript's backtracking engine, where one pattern
 * such as `^(a+)+$` can take seconds. The engine's own matcher (find, `$match` stages) uses
 * linear-time RE2; regular expressions anywhere mingo would run them are refused. mingo would also
 * run client-supplied JavaScript (`$function`, `$accumulator`, `$where`) inside the engine
 * process: that is always off.
 */
import { Aggregator, Query } from 'mingo';
import type { Options } from 'mingo/types';
import { MongoCommandError, badValue } from '../errors';
import { bsonType } from '../bson/values';
import { isPlainDoc, setField } from '../bson/paths';
import type { Doc } from '../bson/paths';

const PROTO = '__proto__';
const STAND_IN = '\u0000__proto__';

/** Renames whole segments of a dotted path; a leading `$` (field path) is kept aside. */
function renamePath(path: string, from: string, to: string): string {
  if (!path.includes(from)) return path;
  const sigil = path.startsWith('$') && !path.startsWith('$$') ? '$' : '';
  return (
    sigil +
    path
      .slice(sigil.length)
      .split('.')
      .map((s) => (s === from ? to : s))
      .join('.')
  );
}

/** Deep copy with every `from` field (or path segment in keys) renamed to `to`. */
function renameKeys(value: unknown, from: string, to: string): unknown {
  if (Array.isArray(value)) return value.map((e: unknown) => renameKeys(e, from, to));
  if (value instanceof Date) return new Date(value.getTime());
  if (isPlainDoc(value)) {
    const out: Doc = {};
    for (const key of Object.keys(value)) setField(out, renamePath(key, from, to), renameKeys(value[key], from, to));
    return out;
  }
  return value;
}

const REGEX_OPERATORS = new Set(['$regex', '$regexMatch', '$regexFind', '$regexFindAll']);

function refuseRegex(): MongoCommandError {
  return new MongoCommandError(
    115,
    'regular expressions are supported by embedded-mongo in find filters and top-level $match stages only (where they run in linear time)',
  );
}

/**
 * Field names appear in specs as keys, `$a.b` paths, `$unset` names and `$getField`-style names.
 * Regular expressions are refused on the way (see above).
 */
function renameSpec(value: unknown, parentKey = ''): unknown {
  if (value instanceof RegExp || bsonType(value) === 'BSONRegExp' || REGEX_OPERATORS.has(parentKey)) throw refuseRegex();
  if (typeof value === 'string') {
    const isPath = value.startsWith('$') || parentKey === '$unset' || parentKey === '$getField' || parentKey === 'field';
    return isPath ? renamePath(value, PROTO, STAND_IN) : value;
  }
  if (Array.isArray(value)) return value.map((e: unknown) => renameSpec(e, parentKey));
  if (isPlainDoc(value)) {
    const out: Doc = {};
    for (const key of Object.keys(value)) setField(out, renamePath(key, PROTO, STAND_IN), renameSpec(value[key], key));
    return out;
  }
  return value;
}

function wrap<T>(where: string, run: () => T): T {
  try {
    return run();
  } catch (error) {
    if (error instanceof MongoCommandError) throw error;
    throw badValue(`${where} failed: ${(error as Error).message}`);
  }
}

const toMingo = (d: Doc): Doc => renameKeys(d, PROTO, STAND_IN) as Doc;
const fromMingo = (d: Doc): Doc => renameKeys(d, STAND_IN, PROTO) as Doc;

/** Options every mingo call gets: no script execution, and the command's `let` variables. */
function mingoOptions(variables: Doc | undefined, extra?: Partial<Options>): Partial<Options> {
  return { ...extra, scriptEnabled: false, ...(variables ? { variables } : {}) };
}

export function runMingoPipeline(stages: Doc[], docs: Doc[], options?: { collectionResolver?: (name: string) => Doc[]; variables?: Doc | undefined }): Doc[] {
  const spec = renameSpec(stages) as Doc[];
  const resolver = options?.collectionResolver;
  const opts = mingoOptions(options?.variables, resolver ? { collectionResolver: (name) => resolver(name).map((d) => toMingo(d)) } : undefined);
  const out = wrap('aggregation', () => new Aggregator(spec, opts).run(docs.map(toMingo)) as Doc[]);
  return out.map(fromMingo);
}

export function compileMingoProjection(spec: Doc, variables?: Doc): (doc: Doc) => Doc {
  const agg = wrap('projection', () => new Aggregator([{ $project: renameSpec(spec) }], mingoOptions(variables)));
  return (doc) => fromMingo(wrap('projection', () => (agg.run([toMingo(doc)])[0] ?? {}) as Doc));
}

/**
 * `$expr` only reads the document, so it runs on the stored one as is (no copy per document);
 * a `__proto__` path inside it is refused by mingo, loudly.
 */
export function compileExpr(cond: unknown, variables?: Doc): (doc: Doc) => boolean {
  renameSpec(cond);
  const q = wrap('$expr', () => new Query({ $expr: cond } as Record<string, unknown>, mingoOptions(variables)));
  return (doc) => wrap('$expr', () => q.test(doc));
}

/** Evaluates expressions that need no document (`let` values, `$documents`). */
export function evaluateExpression(expr: unknown, variables?: Doc): unknown {
  const [out] = runMingoPipeline([{ $replaceWith: { v: expr } }], [{}], { variables });
  return out?.v;
}
