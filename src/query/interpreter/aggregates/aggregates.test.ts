import { describe, expect, it } from 'vitest';
import { compileAggregate, nearestRankPercentile } from './index.js';

function runAgg(name: string, values: (string | number | null)[], percents: number[] = []): unknown[] {
  const c = compileAggregate({ name, valueArgCount: 1, percents, argFieldName: 'x', alias: undefined });
  if (!c.ok) throw new Error(c.message);
  const acc = c.spec.create();
  values.forEach((v, i) => acc.add([v], { _messageTime: i }));
  return acc.result();
}

describe('aggregates', () => {
  it('names outputs as Sumo does', () => {
    const c = compileAggregate({ name: 'pct', valueArgCount: 1, percents: [95, 99.9], argFieldName: 'latency', alias: undefined });
    expect(c.ok && c.spec.outputs).toEqual(['_latency_pct_95', '_latency_pct_99.9']);
  });
  it('skips non-numeric values in numeric aggregates', () => {
    expect(runAgg('sum', [1, '2', 'x', null])).toEqual([3]);
    expect(runAgg('avg', ['x'])).toEqual([null]);
    expect(runAgg('stddev', [2, 4, 4, 4, 5, 5, 7, 9])[0]).toBeCloseTo(2.138, 3);
  });
  it('uses nearest-rank percentiles', () => {
    expect(nearestRankPercentile([10, 50, 100, 100, 105, 150, 175, 200, 1000, 1100], 10)).toBe(10);
    expect(nearestRankPercentile([10, 50, 100, 100, 105, 150, 175, 200, 1000, 1100], 90)).toBe(1000);
    expect(runAgg('median', [1, 2, 3, 4])).toEqual([2]);
  });
  it('first/last/most_recent/values/count_distinct', () => {
    expect(runAgg('first', [null, 'a', 'b'])).toEqual(['a']);
    expect(runAgg('last', ['a', 'b', null])).toEqual(['b']);
    expect(runAgg('most_recent', ['a', 'b', 'c'])).toEqual(['c']);
    expect(runAgg('values', ['a', 'b', 'a'])).toEqual(['["a","b"]']);
    expect(runAgg('count_distinct', ['a', 'b', 'a', null])).toEqual([2]);
  });
});
