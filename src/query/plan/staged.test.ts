import { describe, expect, it } from 'vitest';
import { clickhouseDialect } from '../sql/dialect.js';
import { aggregate, id, param, selectList, sql, type SelectItem, type Sql } from '../sql/tree.js';
import { stagedAggregate } from './staged.js';

describe('staged aggregates', () => {
  const render = (tree: Sql): string => clickhouseDialect.render(tree).sql;
  const items = (list: readonly SelectItem[]): string => render(selectList(list));
  const v1 = id('v1');
  const n = sql`toFloat64(${aggregate('count', v1)})`;
  const select: SelectItem[] = [
    { expr: id('v0'), alias: 'c0' },
    { expr: sql`toFloat64(${aggregate('count')})`, alias: 'c1' },
    { expr: aggregate('sumOrNull', v1), alias: 'c2' },
    { expr: sql`if(${n} = 0, NULL, arraySort(${aggregate('groupArray', v1)})[toUInt64(greatest(1, least(${n}, ceil(${param(50, 'Float64')} / 100 * ${n} - 1e-9))))])`, alias: 'c3' },
    { expr: sql`toFloat64(${aggregate('uniqExact', id('v2'))})`, alias: 'c4' },
  ];
  const newest = sql`${aggregate('max', id('t'))} DESC`;

  it('turns every aggregate call into a state per slice and a merge at the end', () => {
    const staged = stagedAggregate(select, ['c0'], [newest])!;
    expect(items(staged.stateSelect)).toBe(
      '`v0` AS `c0`, countState() AS `s0`, sumOrNullState(`v1`) AS `s1`, countState(`v1`) AS `s2`, groupArrayState(`v1`) AS `s3`, uniqExactState(`v2`) AS `s4`, maxState(`t`) AS `s5`',
    );
    const final = staged.finalSelect.map((item) => render(selectList([item])));
    expect(final[0]).toBe('`c0` AS `c0`');
    expect(final[1]).toBe('toFloat64(countMerge(`s0`)) AS `c1`');
    expect(final[3]).toContain('arraySort(groupArrayMerge(`s3`))');
    expect(final[3]).not.toMatch(/count\(`v1`\)/);
    expect(render(staged.finalExpression(newest))).toBe('maxMerge(`s5`) DESC');
    // A call the select list and the extra calls did not name has no state to merge.
    expect(() => staged.finalExpression(aggregate('min', id('t')))).toThrow(/no staged state/);
  });

  it('refuses an output without an aggregate call (it could not be merged)', () => {
    expect(stagedAggregate([{ expr: sql`toFloat64(${id('v0')})`, alias: 'c0' }], [])).toBeUndefined();
  });
});
