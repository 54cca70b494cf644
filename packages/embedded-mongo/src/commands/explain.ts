/**
 * `explain` for find / count / distinct / aggregate. Plans are rendered from the decision
 * Collection.candidates actually makes for the query (the same call find uses), so an explain
 * can never claim an index the query would not use. `executionStats` runs the query through the
 * same executeQuery as find and reports what it examined.
 */
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import type { Document } from 'bson';
import { MongoCommandError, badValue } from '../errors';
import { runPipeline, validatePipeline } from '../aggregate/pipeline';
import { isOperatorObject } from '../filter/match';
import { compareValues, valuesEqual } from '../bson/compare';
import { isPlainDoc, setField } from '../bson/paths';
import type { Doc } from '../bson/paths';
import { describeValue } from '../bson/values';
import type { AccessPlan, Collection, IndexBound, IndexSpec } from '../storage/collection';
import { VERSION } from './admin';
import type { CommandContext, Handler } from './context';
import { readOptions } from './query-options';
import { executeQuery, isFastCount, parseCount, parseFind, planOptions, resolver, splitLeadingMatch } from './read';
import type { FindOptions, QueryRun } from './read';
import { collectionName } from './write';

type Verbosity = 'queryPlanner' | 'executionStats' | 'allPlansExecution';
const VERBOSITIES: readonly string[] = ['queryPlanner', 'executionStats', 'allPlansExecution'];

interface Stage extends Doc {
  stage: string;
  inputStage?: Stage;
}

/** What explain learned by running the query (executionStats verbosity only). */
interface Execution {
  run: QueryRun;
  millis: number;
}

function parseVerbosity(value: unknown): Verbosity {
  // The explain command defaults to the most verbose mode, as mongod does.
  if (value === undefined) return 'allPlansExecution';
  if (typeof value !== 'string' || !VERBOSITIES.includes(value)) {
    throw badValue("verbosity string must be one of {'queryPlanner', 'executionStats', 'allPlansExecution'}");
  }
  return value as Verbosity;
}

/** Top-level predicates in MongoDB's parsed form: `{a: 1}` → `{a: {$eq: 1}}`, `$and` flattened. */
function predicates(filter: unknown, out: Doc[] = []): Doc[] {
  if (!isPlainDoc(filter)) return out;
  for (const [key, value] of Object.entries(filter)) {
    if (key === '$and' && Array.isArray(value)) {
      for (const sub of value) predicates(sub, out);
    } else if (key.startsWith('$')) {
      out.push({ [key]: value });
    } else if (isOperatorObject(value) && !('$regex' in value) && !('$options' in value)) {
      for (const [op, operand] of Object.entries(value)) out.push({ [key]: { [op]: operand } });
    } else if (isOperatorObject(value)) {
      out.push({ [key]: value });
    } else if (value instanceof RegExp) {
      out.push({ [key]: { $regex: value } });
    } else {
      out.push({ [key]: { $eq: value } });
    }
  }
  return out;
}

function combine(preds: Doc[]): Doc {
  if (preds.length === 0) return {};
  return preds.length === 1 ? (preds[0] as Doc) : { $and: preds };
}

/** True when `pred` is exactly an equality/`$in` that the index lookup on `bounds` answered. */
function coveredByBounds(pred: Doc, bounds: IndexBound[]): boolean {
  const [path, cond] = Object.entries(pred)[0] ?? [];
  if (path === undefined || !isPlainDoc(cond)) return false;
  const bound = bounds.find((b) => b.path === path);
  if (!bound?.values) return false;
  if ('$eq' in cond) return bound.values.length === 1 && valuesEqual(cond.$eq, bound.values[0]);
  if ('$in' in cond) return Array.isArray(cond.$in) && valuesEqual(cond.$in, bound.values);
  return false;
}

function indexBounds(bounds: IndexBound[]): Doc {
  const out: Doc = {};
  for (const b of bounds) {
    if (!b.values) {
      out[b.path] = ['[MinKey, MaxKey]'];
      continue;
    }
    const sorted = [...b.values].sort(compareValues).filter((v, i, all) => i === 0 || compareValues(all[i - 1], v) !== 0);
    setField(
      out,
      b.path,
      sorted.map((v) => `[${describeValue(v)}, ${describeValue(v)}]`),
    );
  }
  return out;
}

function ixscan(
  spec: IndexSpec,
  multiKey: boolean,
  bounds: IndexBound[],
  keysExamined: number,
  exec: Execution | undefined,
  direction: 'forward' | 'backward' = 'forward',
): Stage {
  return {
    stage: 'IXSCAN',
    ...(exec ? { nReturned: exec.run.docsExamined, keysExamined, docsExamined: 0 } : {}),
    keyPattern: { ...spec.key },
    indexName: spec.name,
    isMultiKey: multiKey,
    isUnique: spec.unique === true || spec.name === '_id_',
    isSparse: spec.sparse === true,
    isPartial: spec.partialFilterExpression !== undefined,
    indexVersion: spec.v,
    direction,
    indexBounds: indexBounds(bounds),
  };
}

function fetch(preds: Doc[], bounds: IndexBound[], input: Stage, exec: Execution | undefined): Stage {
  const residual = preds.filter((p) => !coveredByBounds(p, bounds));
  return {
    stage: 'FETCH',
    ...(exec ? { nReturned: exec.run.matched, docsExamined: exec.run.docsExamined } : {}),
    ...(residual.length > 0 ? { filter: combine(residual) } : {}),
    inputStage: input,
  };
}

const ID_INDEX: IndexSpec = { v: 2, key: { _id: 1 }, name: '_id_' };

/** The stages that produce candidates and apply the filter, from the planner's decision. */
function accessStage(plan: AccessPlan | undefined, preds: Doc[], exec: Execution | undefined): Stage {
  const counted = exec ? { nReturned: exec.run.matched, docsExamined: exec.run.docsExamined } : {};
  if (!plan) return { stage: 'EOF', ...(exec ? { nReturned: 0 } : {}) };
  switch (plan.kind) {
    case 'COLLSCAN':
      return { stage: 'COLLSCAN', ...counted, ...(preds.length > 0 ? { filter: combine(preds) } : {}), direction: plan.backward ? 'backward' : 'forward' };
    case 'ID': {
      const bounds = [{ path: '_id', values: plan.values }];
      const onlyIdEquality = plan.values.length === 1 && preds.length === 1 && coveredByBounds(preds[0] as Doc, bounds);
      if (onlyIdEquality) return { stage: 'IDHACK', ...counted, ...(exec ? { keysExamined: plan.keysExamined } : {}) };
      return fetch(preds, bounds, ixscan(ID_INDEX, false, bounds, plan.keysExamined, exec), exec);
    }
    case 'IXSCAN':
      return fetch(preds, plan.bounds, ixscan(plan.index, plan.multiKey, plan.bounds, plan.keysExamined, exec, plan.order?.direction), exec);
  }
}

function nonEmpty(value: unknown): value is Doc {
  return isPlainDoc(value) && Object.keys(value).length > 0;
}

/**
 * SORT / SKIP / LIMIT / PROJECTION above the access stage, in the order mongod stacks them; no SORT
 * when the index scan below already gives the sort (`isSortedByIndex`).
 */
function findStages(access: Stage, find: FindOptions, exec: Execution | undefined, isSortedByIndex: boolean): Stage {
  let stage = access;
  let n = exec?.run.matched ?? 0;
  const counted = (): Doc => (exec ? { nReturned: n } : {});
  const sortPattern = nonEmpty(find.sort) && !isSortedByIndex ? find.sort : undefined;
  if (sortPattern) {
    if (find.limit > 0) n = Math.min(n, find.skip + find.limit);
    stage = {
      stage: 'SORT',
      ...counted(),
      sortPattern: { ...sortPattern },
      memLimit: 104857600,
      ...(find.limit > 0 ? { limitAmount: find.skip + find.limit } : {}),
      type: 'simple',
      inputStage: stage,
    };
  }
  if (find.skip > 0) {
    n = Math.max(0, n - find.skip);
    stage = { stage: 'SKIP', ...counted(), skipAmount: find.skip, inputStage: stage };
  }
  if (find.limit > 0 && !sortPattern) {
    n = Math.min(n, find.limit);
    stage = { stage: 'LIMIT', ...counted(), limitAmount: find.limit, inputStage: stage };
  }
  if (nonEmpty(find.projection)) stage = { stage: 'PROJECTION_DEFAULT', ...counted(), transformBy: { ...find.projection }, inputStage: stage };
  return stage;
}

interface Explained {
  ns: string;
  filter: unknown;
  winningPlan: Stage;
  exec: Execution | undefined;
  nReturned: number;
}

function timed(execute: () => QueryRun): Execution {
  const t0 = performance.now();
  const run = execute();
  return { run, millis: Math.round(performance.now() - t0) };
}

function queryPlanner(explained: Explained): Doc {
  return {
    namespace: explained.ns,
    indexFilterSet: false,
    parsedQuery: combine(predicates(explained.filter)),
    maxIndexedOrSolutionsReached: false,
    maxIndexedAndSolutionsReached: false,
    maxScansToExplodeReached: false,
    winningPlan: explained.winningPlan,
    rejectedPlans: [],
  };
}

function executionStats(explained: Explained, verbosity: Verbosity): Doc | undefined {
  if (!explained.exec) return undefined;
  const keys = (s: Stage | undefined): number => (s ? (typeof s.keysExamined === 'number' ? s.keysExamined : 0) + keys(s.inputStage) : 0);
  return {
    executionSuccess: true,
    nReturned: explained.nReturned,
    executionTimeMillis: explained.exec.millis,
    totalKeysExamined: keys(explained.winningPlan),
    totalDocsExamined: explained.exec.run.docsExamined,
    executionStages: explained.winningPlan,
    ...(verbosity === 'allPlansExecution' ? { allPlansExecution: [] } : {}),
  };
}

/**
 * executionStats reuse the plan tree with counters; queryPlanner shows it without them (mongod
 * also keeps counters out of winningPlan).
 */
function withoutCounters(stage: Stage): Stage {
  const { nReturned: _n, keysExamined: _k, docsExamined: _d, nCounted: _c, inputStage, ...rest } = stage;
  return { ...(rest as Stage), ...(inputStage ? { inputStage: withoutCounters(inputStage) } : {}) };
}

function plannerSections(explained: Explained, verbosity: Verbosity): Doc {
  const stats = executionStats(explained, verbosity);
  return { queryPlanner: queryPlanner({ ...explained, winningPlan: withoutCounters(explained.winningPlan) }), ...(stats ? { executionStats: stats } : {}) };
}

function collectionOf(ctx: CommandContext, name: string): Collection | undefined {
  return ctx.server.engine.getCollection(ctx.db, name);
}

function explainFind(inner: Document, ctx: CommandContext, verbosity: Verbosity): Explained {
  const f = parseFind(inner);
  const coll = collectionOf(ctx, f.name);
  const opts = readOptions(inner, coll);
  const preds = predicates(f.filter);
  const exec = verbosity === 'queryPlanner' ? undefined : timed(() => executeQuery(coll, f.filter, f.sort, f.skip, f.limit, opts));
  const plan = exec ? exec.run.plan : coll?.candidates(f.filter, planOptions(opts, f.sort, f.skip, f.limit)).plan;
  const winningPlan = findStages(accessStage(plan, preds, exec), f, exec, plan?.kind === 'IXSCAN' && plan.order !== undefined);
  return { ns: `${ctx.db}.${f.name}`, filter: f.filter, winningPlan, exec, nReturned: exec?.run.docs.length ?? 0 };
}

function explainCount(inner: Document, ctx: CommandContext, verbosity: Verbosity): Explained {
  const q = parseCount(inner);
  const coll = collectionOf(ctx, q.name);
  const opts = readOptions(inner, coll);
  const ns = `${ctx.db}.${q.name}`;
  // mongod's COUNT stage returns no documents, so nReturned is 0 for counts.
  if (isFastCount(q.query) && opts.hint === undefined) {
    const exec = verbosity === 'queryPlanner' ? undefined : timed(() => ({ docs: [], plan: undefined, docsExamined: 0, matched: 0 }));
    return { ns, filter: q.query, winningPlan: { stage: 'RECORD_STORE_FAST_COUNT', ...(exec ? { nReturned: 0 } : {}) }, exec, nReturned: 0 };
  }
  const exec = verbosity === 'queryPlanner' ? undefined : timed(() => executeQuery(coll, q.query, undefined, q.skip, q.limit, opts));
  const plan = exec ? exec.run.plan : coll?.candidates(q.query, opts).plan;
  const winningPlan: Stage = {
    stage: 'COUNT',
    ...(exec ? { nReturned: 0, nCounted: exec.run.docs.length } : {}),
    ...(q.limit > 0 ? { limitAmount: q.limit } : {}),
    ...(q.skip > 0 ? { skipAmount: q.skip } : {}),
    inputStage: accessStage(plan, predicates(q.query), exec),
  };
  return { ns, filter: q.query, winningPlan, exec, nReturned: 0 };
}

function explainDistinct(inner: Document, ctx: CommandContext, verbosity: Verbosity): Explained {
  const name = collectionName(inner, 'distinct');
  if (typeof inner.key !== 'string') throw new MongoCommandError(14, "'key' must be a string");
  const coll = collectionOf(ctx, name);
  const opts = readOptions(inner, coll);
  const exec = verbosity === 'queryPlanner' ? undefined : timed(() => executeQuery(coll, inner.query, undefined, 0, 0, opts));
  const plan = exec ? exec.run.plan : coll?.candidates(inner.query, opts).plan;
  const winningPlan = accessStage(plan, predicates(inner.query), exec);
  return { ns: `${ctx.db}.${name}`, filter: inner.query, winningPlan, exec, nReturned: exec?.run.matched ?? 0 };
}

function scanAll(coll: Collection | undefined): QueryRun {
  const docs = coll ? [...coll.docs.values()] : [];
  return { docs, plan: coll ? { kind: 'COLLSCAN' } : undefined, docsExamined: docs.length, matched: docs.length };
}

/**
 * A `$match`-only pipeline is explained like a find (as mongod does); otherwise the query part
 * is a `$cursor` stage followed by the remaining stages.
 */
function explainAggregate(inner: Document, ctx: CommandContext, verbosity: Verbosity, envelope: Doc): Doc {
  const name = collectionName(inner, 'aggregate');
  const ns = `${ctx.db}.${name}`;
  const pipeline = validatePipeline(inner.pipeline);
  const coll = collectionOf(ctx, name);
  const opts = readOptions(inner, coll);
  const { match, rest } = splitLeadingMatch(pipeline);
  const planned = match !== undefined || opts.hint !== undefined;
  const runMatch = (): QueryRun => (planned ? executeQuery(coll, match, undefined, 0, 0, opts) : scanAll(coll));
  const exec = verbosity === 'queryPlanner' ? undefined : timed(runMatch);
  const plan = exec ? exec.run.plan : planned ? coll?.candidates(match, opts).plan : coll ? ({ kind: 'COLLSCAN' } as const) : undefined;
  const explained: Explained = {
    ns,
    filter: match ?? {},
    winningPlan: accessStage(plan, predicates(match), exec),
    exec,
    nReturned: exec?.run.matched ?? 0,
  };
  const sections = plannerSections(explained, verbosity);
  if (rest.length === 0) return { explainVersion: '1', ...sections, ...envelope };
  const stages: Doc[] = [{ $cursor: sections }];
  let docs = exec?.run.docs ?? [];
  for (const stage of rest) {
    if (!exec) {
      stages.push(stage);
      continue;
    }
    const t0 = performance.now();
    docs = runPipeline(docs, [stage], resolver(ctx), opts);
    stages.push({ ...stage, nReturned: docs.length, executionTimeMillisEstimate: Math.round(performance.now() - t0) });
  }
  return { explainVersion: '1', stages, ...envelope };
}

const EXPLAINERS: Record<string, (inner: Document, ctx: CommandContext, verbosity: Verbosity) => Explained> = {
  find: explainFind,
  count: explainCount,
  distinct: explainDistinct,
};

function runExplain(inner: Document, ctx: CommandContext, verbosity: Verbosity): Doc {
  const name = Object.keys(inner)[0] ?? '';
  const envelope: Doc = {
    command: { ...inner, $db: ctx.db },
    serverInfo: { host: os.hostname(), port: ctx.server.port, version: VERSION, gitVersion: 'embedded-mongo' },
    ok: 1,
  };
  if (name === 'aggregate') return explainAggregate(inner, ctx, verbosity, envelope);
  const explainer = Object.hasOwn(EXPLAINERS, name) ? EXPLAINERS[name] : undefined;
  if (!explainer) throw new MongoCommandError(115, `explain of '${name}' is not supported by embedded-mongo (find, count, distinct and aggregate are)`);
  return { explainVersion: '1', ...plannerSections(explainer(inner, ctx, verbosity), verbosity), ...envelope };
}

const explain: Handler = (cmd, ctx) => {
  if (!isPlainDoc(cmd.explain)) throw new MongoCommandError(9, 'explain command requires a nested object');
  return runExplain(cmd.explain, ctx, parseVerbosity(cmd.verbosity));
};

/** The older `{aggregate, pipeline, explain: true}` form, answered like `{explain: {aggregate}}` with queryPlanner. */
export const explainAggregateFlag: Handler = (cmd, ctx) => {
  const { explain: _flag, ...inner } = cmd;
  return runExplain(inner, ctx, 'queryPlanner');
};

export const explainHandlers: Record<string, Handler> = { explain };
