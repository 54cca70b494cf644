/**
 * Collations: MongoDB's collation documents, validated as mongod validates them and carried out
 * with `Intl.Collator` (the same ICU that mongod uses, in another version).
 *
 * `locale` and `strength` are honoured fully, as are `caseLevel`, `caseFirst` and
 * `numericOrdering`; `alternate: 'shifted'` ignores punctuation and spaces whatever `maxVariable`
 * says; strength 4 behaves like 3, and strength 5 breaks ties by code point. `backwards` (French
 * secondary ordering) has no `Intl` equivalent and is refused.
 */
import { MongoCommandError } from '../errors';
import { isPlainDoc } from './paths';
import { toNumber, isNumeric } from './values';
import type { Doc } from './paths';
import type { StringComparator } from './compare';

/** The ICU version mongod 7.0 reports in collation specs (it vendors ICU 57.1). */
const ICU_VERSION = '57.1';

export interface Collation {
  /** The full spec, as mongod lists it in listIndexes / listCollections. */
  readonly spec: Doc;
  /** Identifies the collation: two collations compare alike exactly when their ids are equal. */
  readonly id: string;
  readonly compare: StringComparator;
  /**
   * A key for the class of strings this collation considers equal to `s`. With `intern` an unseen
   * class is registered (index maintenance); without it an unseen class gets a key that matches
   * nothing (lookups must not grow the table).
   */
  key(s: string, intern: boolean): string;
  /** A fresh, short-lived class table (grouping / de-duplicating one result, not stored state). */
  classes(): (s: string) => string;
}

const NO_CLASS = 'c?';

/**
 * Equality classes of strings under one comparator: representatives kept sorted by it, so a
 * class is found by binary search. Intl has no sort keys; this gives exact, stable class keys.
 */
class ClassTable {
  private readonly reps: string[] = [];
  private readonly ids: number[] = [];
  private next = 0;

  constructor(private readonly compare: StringComparator) {}

  key(text: string, intern: boolean): string {
    let lo = 0;
    let hi = this.reps.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const c = this.compare(this.reps[mid] as string, text);
      if (c === 0) return 'c' + String(this.ids[mid]);
      if (c < 0) lo = mid + 1;
      else hi = mid;
    }
    if (!intern) return NO_CLASS;
    const id = this.next++;
    this.reps.splice(lo, 0, text);
    this.ids.splice(lo, 0, id);
    return 'c' + String(id);
  }
}

const KNOWN_FIELDS = new Set([
  'locale',
  'caseLevel',
  'caseFirst',
  'strength',
  'numericOrdering',
  'alternate',
  'maxVariable',
  'normalization',
  'backwards',
  'version',
]);

/** ICU `@collation=` keywords and their BCP 47 `-u-co-` spellings. */
const COLLATION_KEYWORDS: Record<string, string> = {
  phonebook: 'phonebk',
  traditional: 'trad',
  dictionary: 'dict',
  gb2312han: 'gb2312',
  big5han: 'big5han',
  pinyin: 'pinyin',
  stroke: 'stroke',
  unihan: 'unihan',
  zhuyin: 'zhuyin',
  search: 'search',
  standard: 'standard',
  eor: 'eor',
  emoji: 'emoji',
  compat: 'compat',
  reformed: 'reformed',
};

function show(spec: Doc): string {
  const parts = Object.entries(spec).map(([k, v]) => `${k}: ${typeof v === 'string' ? JSON.stringify(v) : String(v)}`);
  return `{ ${parts.join(', ')} }`;
}

function failedToParse(msg: string): MongoCommandError {
  return new MongoCommandError(9, msg);
}

/** mongod takes ICU locale ids (`en_US`, `de@collation=phonebook`); Intl takes BCP 47. */
function toBcp47(localeId: string, spec: Doc): string {
  const invalid = (): MongoCommandError => new MongoCommandError(2, `Field 'locale' is invalid in: ${show(spec)}`);
  if (localeId.includes('-') || localeId.length === 0) throw invalid();
  const [base = '', keywords] = localeId.split('@', 2);
  let tag = base.replace(/_/g, '-');
  if (keywords !== undefined) {
    const m = /^collation=([a-z0-9]+)$/.exec(keywords);
    const co = m ? COLLATION_KEYWORDS[m[1] as string] : undefined;
    if (!co) throw invalid();
    tag += `-u-co-${co}`;
  }
  let resolved: Intl.ResolvedCollatorOptions;
  try {
    resolved = new Intl.Collator(tag).resolvedOptions();
  } catch {
    throw invalid();
  }
  const wantedCo = keywords === undefined ? 'default' : (tag.split('-u-co-')[1] as string);
  const resolvedBase = resolved.locale.split('-u-')[0] as string;
  if (resolvedBase.toLowerCase() !== (tag.split('-u-')[0] as string).toLowerCase() || resolved.collation !== wantedCo) {
    const near = resolvedBase.replace(/-/g, '_');
    throw new MongoCommandError(2, `Field 'locale' is invalid in: ${show(spec)}${resolved.collation === wantedCo ? `. Did you mean '${near}'?` : ''}`);
  }
  return tag;
}

function boolField(spec: Doc, name: string, dflt: boolean): boolean {
  const value: unknown = spec[name];
  if (value === undefined) return dflt;
  if (typeof value !== 'boolean') throw new MongoCommandError(14, `Field '${name}' must be of type bool in: ${show(spec)}`);
  return value;
}

function enumField<T extends string>(spec: Doc, name: string, allowed: readonly T[], dflt: T): T {
  const value: unknown = spec[name];
  if (value === undefined) return dflt;
  if (typeof value !== 'string') throw new MongoCommandError(14, `Field '${name}' must be of type string in: ${show(spec)}`);
  if (!(allowed as readonly string[]).includes(value)) {
    throw failedToParse(`Field '${name}' must be ${allowed.map((a) => `'${a}'`).join(', or ')}. Got: ${value}`);
  }
  return value as T;
}

const cache = new Map<string, Collation>();

function build(spec: Doc, bcp47: string): Collation {
  const strength = spec.strength as number;
  const caseLevel = spec.caseLevel === true;
  let sensitivity: Intl.CollatorOptions['sensitivity'] = 'variant';
  if (strength === 1) sensitivity = caseLevel ? 'case' : 'base';
  else if (strength === 2) sensitivity = caseLevel ? 'variant' : 'accent';
  const collator = new Intl.Collator(bcp47, {
    sensitivity,
    caseFirst: spec.caseFirst === 'off' ? 'false' : (spec.caseFirst as 'upper' | 'lower'),
    numeric: spec.numericOrdering === true,
    ignorePunctuation: spec.alternate === 'shifted',
  });
  const base = collator.compare.bind(collator);
  // Identical strength: strings equal at every level still differ when their code points do.
  const compare: StringComparator =
    strength === 5 ? (a, b) => base(a, b) || (a.normalize('NFD') < b.normalize('NFD') ? -1 : a.normalize('NFD') > b.normalize('NFD') ? 1 : 0) : base;
  const table = new ClassTable(compare);
  return {
    spec,
    id: JSON.stringify(spec),
    compare,
    key: (s, intern) => table.key(s, intern),
    classes: () => {
      const local = new ClassTable(compare);
      return (s) => local.key(s, true);
    },
  };
}

/**
 * Parses a collation document as mongod does (unknown fields, bad values and unknown locales are
 * errors). Returns `undefined` for the simple (binary) collation.
 */
export function parseCollation(raw: unknown): Collation | undefined {
  if (!isPlainDoc(raw)) throw new MongoCommandError(14, `collation must be an object, not ${raw === null ? 'null' : typeof raw}`);
  const locale: unknown = raw.locale;
  if (locale === undefined) throw new MongoCommandError(40414, "BSON field 'locale' is missing but a required field");
  if (typeof locale !== 'string') throw new MongoCommandError(14, `Field 'locale' must be of type string in: ${show(raw)}`);
  if (locale === 'simple') {
    if (Object.keys(raw).length > 1) throw failedToParse(`If locale=simple, no other fields should be present in: ${show(raw)}`);
    return undefined;
  }
  for (const key of Object.keys(raw)) {
    if (!KNOWN_FIELDS.has(key)) throw failedToParse(`Collation spec contains unknown field. Collation spec: ${show(raw)}`);
  }
  const bcp47 = toBcp47(locale, raw);
  let strength = 3;
  if (raw.strength !== undefined) {
    if (!isNumeric(raw.strength) || !Number.isInteger(toNumber(raw.strength))) {
      throw new MongoCommandError(14, `Field 'strength' must be a number in: ${show(raw)}`);
    }
    strength = toNumber(raw.strength);
    if (strength < 1 || strength > 5) throw failedToParse(`Field 'strength' must be an integer 1 through 5. Got: ${strength}`);
  }
  const localeCaseFirst = new Intl.Collator(bcp47).resolvedOptions().caseFirst;
  const spec: Doc = {
    locale,
    caseLevel: boolField(raw, 'caseLevel', false),
    caseFirst: enumField(
      raw,
      'caseFirst',
      ['upper', 'lower', 'off'] as const,
      localeCaseFirst === 'upper' || localeCaseFirst === 'lower' ? localeCaseFirst : 'off',
    ),
    strength,
    numericOrdering: boolField(raw, 'numericOrdering', false),
    alternate: enumField(raw, 'alternate', ['non-ignorable', 'shifted'] as const, 'non-ignorable'),
    maxVariable: enumField(raw, 'maxVariable', ['punct', 'space'] as const, 'punct'),
    normalization: boolField(raw, 'normalization', false),
    backwards: boolField(raw, 'backwards', false),
    version: ICU_VERSION,
  };
  if (raw.version !== undefined && raw.version !== ICU_VERSION) {
    throw new MongoCommandError(
      161,
      `Requested collation version ${String(raw.version)} but the only available collator version was ${ICU_VERSION}. Requested collation spec: ${show(raw)}`,
    );
  }
  if (spec.backwards === true && strength === 1) throw new MongoCommandError(2, `'backwards' is invalid with 'strength' of 1 in: ${show(spec)}`);
  if (spec.caseFirst !== 'off' && spec.caseLevel !== true && strength <= 2) {
    throw new MongoCommandError(2, `'caseFirst' is invalid unless 'caseLevel' is on or 'strength' is greater than 2 in: ${show(spec)}`);
  }
  if (spec.backwards === true) throw new MongoCommandError(115, "collation option 'backwards' is not supported by embedded-mongo");
  const id = JSON.stringify(spec);
  let c = cache.get(id);
  if (!c) {
    c = build(spec, bcp47);
    cache.set(id, c);
  }
  return c;
}

/** The collation an operation runs with: its own when given (`simple` included), else the collection's default. */
export function effectiveCollation(requested: unknown, collectionDefault: Collation | undefined): Collation | undefined {
  return requested === undefined || requested === null ? collectionDefault : parseCollation(requested);
}

export function sameCollation(left: Collation | undefined, right: Collation | undefined): boolean {
  return left === right || (left !== undefined && right !== undefined && left.id === right.id);
}
