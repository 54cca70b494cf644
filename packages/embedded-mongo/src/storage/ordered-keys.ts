/**
 * An index's keys in index order, for sorts an index can provide (see Index.orderedKeys): a sorted
 * array of distinct key tuples, each with the `_id` keys of its documents. Reads walk it from either
 * end; a write is a binary search and one splice. The array is kept ascending on the first field, so
 * keys that grow with time (dates, counters) are appended at the end whatever the index's direction,
 * and moving such a key (a touch) only shifts the few entries after it.
 */
import { compareValues, typeRank } from '../bson/compare';

interface Entry {
  /** The document's value for each indexed field (null when missing), in key-pattern order. */
  tuple: unknown[];
  ids: Set<string>;
}

export class OrderedKeys {
  private entries: Entry[] = [];
  /** ±1 per field, relative to the first field's direction (so the first is always +1). */
  private readonly directions: number[];
  /** True when the index's first field descends: index order is then the array read backwards. */
  private readonly reversed: boolean;

  /** `directions`: the key pattern's ±1 per field; `items`: every (key tuple, `_id` key) the index holds. */
  constructor(directions: number[], items: Iterable<[unknown[], string]> = []) {
    this.reversed = (directions[0] ?? 1) < 0;
    this.directions = directions.map((direction) => (this.reversed ? -direction : direction));
    const sorted = [...items].sort(([left], [right]) => this.compare(left, right));
    for (const [tuple, id] of sorted) {
      const last = this.entries.at(-1);
      if (last && this.compare(last.tuple, tuple) === 0) last.ids.add(id);
      else this.entries.push({ tuple, ids: new Set([id]) });
    }
  }

  private compare(left: unknown[], right: unknown[]): number {
    for (let i = 0; i < this.directions.length; i++) {
      const c = compareValues(left[i], right[i]);
      if (c !== 0) return c * (this.directions[i] as number);
    }
    return 0;
  }

  /** The first position whose tuple is not before `tuple` (searched from the end: recent keys are there). */
  private lowerBound(tuple: unknown[]): number {
    const { entries } = this;
    const last = entries.at(-1);
    if (!last || this.compare(last.tuple, tuple) < 0) return entries.length;
    let low = 0;
    let high = entries.length - 1;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.compare((entries[middle] as Entry).tuple, tuple) < 0) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  add(tuple: unknown[], id: string): void {
    const at = this.lowerBound(tuple);
    const entry = this.entries[at];
    if (entry && this.compare(entry.tuple, tuple) === 0) entry.ids.add(id);
    else if (at === this.entries.length) this.entries.push({ tuple, ids: new Set([id]) });
    else this.entries.splice(at, 0, { tuple, ids: new Set([id]) });
  }

  remove(tuple: unknown[], id: string): void {
    const at = this.lowerBound(tuple);
    const entry = this.entries[at];
    if (!entry || this.compare(entry.tuple, tuple) !== 0) return;
    entry.ids.delete(id);
    if (entry.ids.size === 0) this.entries.splice(at, 1);
  }

  /** The first position from which `isPast` holds (it must hold from some position to the end). */
  private firstWhere(isPast: (first: unknown) => boolean): number {
    let low = 0;
    let high = this.entries.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (isPast((this.entries[middle] as Entry).tuple[0])) high = middle;
      else low = middle + 1;
    }
    return low;
  }

  /**
   * How many documents have a first field within the bounds, of the bounds' BSON type class (a range
   * never matches across types). The array is ascending on the first field, so the range is one run.
   */
  countFirstField(rank: number, lower?: { value: unknown; inclusive: boolean }, upper?: { value: unknown; inclusive: boolean }): number {
    let start = this.firstWhere((first) => typeRank(first) >= rank);
    let end = this.firstWhere((first) => typeRank(first) > rank);
    if (lower)
      start = Math.max(
        start,
        this.firstWhere((first) => compareValues(first, lower.value) >= (lower.inclusive ? 0 : 1)),
      );
    if (upper)
      end = Math.min(
        end,
        this.firstWhere((first) => compareValues(first, upper.value) >= (upper.inclusive ? 1 : 0)),
      );
    let count = 0;
    for (let i = start; i < end; i++) count += (this.entries[i] as Entry).ids.size;
    return count;
  }

  /** `_id` keys in index order, or its reverse; documents with equal keys in the order they were added. */
  *ids(backward: boolean): Generator<string> {
    const { entries } = this;
    if (backward !== this.reversed) {
      for (let i = entries.length - 1; i >= 0; i--) yield* (entries[i] as Entry).ids;
    } else {
      for (const entry of entries) yield* entry.ids;
    }
  }
}
