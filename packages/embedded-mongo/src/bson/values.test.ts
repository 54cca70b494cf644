import { describe, expect, it } from 'vitest';
import { Decimal128, Long, MaxKey, MinKey, ObjectId } from 'bson';
import { canonicalKey } from './keys';
import { compareValues, valuesEqual } from './compare';
import { compileFilter } from '../filter/match';
import { sortDocs } from './sort';

describe('BSON ordering (regression: ObjectId/Date/mixed types sort as MongoDB does)', () => {
  it('orders ObjectIds by bytes and Dates by time', () => {
    const a = new ObjectId('000000000000000000000002');
    const b = new ObjectId('00000000000000000000000a');
    const c = new ObjectId('100000000000000000000000');
    expect([c, a, b].sort(compareValues)).toEqual([a, b, c]);
    const d = [new Date(5), new Date(-5), new Date(0)];
    expect(d.sort(compareValues).map((x) => x.getTime())).toEqual([-5, 0, 5]);
  });

  it('orders across types: MinKey < null < numbers < strings < objects < arrays < binary < ObjectId < bool < Date < regex < MaxKey', () => {
    const values: unknown[] = [new MaxKey(), /x/, new Date(0), true, new ObjectId(), [1], { a: 1 }, 'a', 1, null, new MinKey()];
    const sorted = [...values].sort(compareValues);
    expect(sorted).toEqual([...values].reverse());
  });

  it('compares numbers across int/double/Long/Decimal128 and keys them equally', () => {
    expect(compareValues(1, Long.fromNumber(2))).toBe(-1);
    expect(compareValues(Long.fromString('9007199254740993'), Long.fromString('9007199254740992'))).toBe(1);
    expect(valuesEqual(2, Decimal128.fromString('2'))).toBe(true);
    expect(canonicalKey(1)).toBe(canonicalKey(Long.fromNumber(1)));
    expect(canonicalKey('1')).not.toBe(canonicalKey(1));
    expect(canonicalKey({ a: 1, b: 2 })).not.toBe(canonicalKey({ b: 2, a: 1 }));
  });

  it('range operators only match within the same type bracket', () => {
    const p = compileFilter({ v: { $gt: new Date(0) } });
    expect(p({ v: new Date(1) })).toBe(true);
    expect(p({ v: 5 })).toBe(false);
    expect(p({ v: 'z' })).toBe(false);
    const q = compileFilter({ _id: { $lt: new ObjectId('100000000000000000000000') } });
    expect(q({ _id: new ObjectId('0f0000000000000000000000') })).toBe(true);
    expect(q({ _id: new ObjectId('110000000000000000000000') })).toBe(false);
  });

  it('sorts arrays by their min (asc) / max (desc) element, missing as null', () => {
    const docs = [{ id: 1, v: [5, 1] }, { id: 2, v: 3 }, { id: 3 }, { id: 4, v: [0, 9] }];
    expect(sortDocs(docs, { v: 1 }).map((d) => d.id)).toEqual([3, 4, 1, 2]);
    expect(sortDocs(docs, { v: -1 }).map((d) => d.id)).toEqual([4, 1, 2, 3]);
  });
});
