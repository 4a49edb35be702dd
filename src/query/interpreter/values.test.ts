import { describe, expect, it } from 'vitest';
import { compareForExpression, compareForSort, isNumericValue, toBoolean, toNumber, valuesEqual } from './values.js';

describe('values', () => {
  it('coerces numeric-looking strings only', () => {
    expect(toNumber('42')).toBe(42);
    expect(toNumber(' 1.5e3 ')).toBe(1500);
    expect(toNumber('0x10')).toBeNull();
    expect(toNumber('abc')).toBeNull();
    expect(toNumber(null)).toBeNull();
    expect(toNumber(true)).toBeNull();
    expect(isNumericValue('-.5')).toBe(true);
  });
  it('compares numerically when both sides are numbers, else as text', () => {
    expect(valuesEqual('5', 5.0)).toBe(true);
    expect(valuesEqual('a', 'A')).toBe(false);
    expect(compareForExpression('10', '9')).toBe(1);
    expect(compareForExpression('10', 'x9')).toBe(-1);
    expect(compareForExpression(null, 1)).toBeNull();
    expect(valuesEqual(null, null)).toBe(true);
  });
  it('truthiness accepts booleans and "true"/"false" only', () => {
    expect(toBoolean('TRUE')).toBe(true);
    expect(toBoolean(1)).toBeNull();
    expect(toBoolean(null)).toBeNull();
  });
  it('sorts null < booleans < numbers < strings, strings as text', () => {
    const xs = ['10', 9, null, '9', true];
    expect([...xs].sort(compareForSort)).toEqual([null, true, 9, '10', '9']);
  });
});
