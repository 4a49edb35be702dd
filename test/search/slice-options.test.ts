/**
 * The first slice of a search is small only when its pushed stages extract fields (their cost a
 * row is unknown and can be high); a search that only filters and counts starts 64 times larger.
 */
import { describe, expect, it } from 'vitest';
import { hasErrors, parseQuery } from '../../src/query/index.js';
import { CHEAP_FIRST_SLICE_FACTOR, defaultSliceOptions, sliceOptionsFor } from '../../src/search/pushdown/slices.js';

function kinds(text: string): string[] {
  const parsed = parseQuery(text);
  expect(hasErrors(parsed.diagnostics)).toBe(false);
  return parsed.query!.stages.map((stage) => stage.kind);
}

describe('sliceOptionsFor', () => {
  it.each([
    '* | parse regex "latency_ms\\W+(?<latency>\\d+)" | avg(latency) by _sourceHost',
    '* | parse "user=* " as user | count by user',
    '* | json field=_raw "a" | count by a',
    '* | kv "k" | count',
    '* | csv _raw extract 1 as a | count by a',
  ])('keeps the small first slice when a stage extracts: %s', (text) => {
    expect(sliceOptionsFor(defaultSliceOptions, kinds(text))).toEqual(defaultSliceOptions);
  });

  it.each(['error', '* | timeslice 1m | count by _timeslice', 'error | count by _sourceCategory', '* | where _size > 3'])(
    'starts larger when the search only filters and counts: %s',
    (text) => {
      expect(sliceOptionsFor(defaultSliceOptions, kinds(text))).toEqual({ ...defaultSliceOptions, rows: defaultSliceOptions.rows * CHEAP_FIRST_SLICE_FACTOR });
    },
  );

  it('leaves fixed-size slicing (target 0) as configured', () => {
    const fixed = { rows: 1000, targetMs: 0 };
    expect(sliceOptionsFor(fixed, kinds('error | count'))).toEqual(fixed);
  });
});
