import { describe, expect, it } from 'vitest';
import {
  AGGREGATES,
  FUNCTIONS,
  OPERATORS,
  UNSUPPORTED_OPERATORS,
  didYouMean,
  editDistance,
  suggest,
} from './index.js';

describe('catalog', () => {
  it('uses lower-case keys and sane arities', () => {
    for (const [name, info] of FUNCTIONS) {
      expect(name).toBe(name.toLowerCase());
      expect(info.minArgs).toBeLessThanOrEqual(info.maxArgs);
    }
    for (const [name, info] of AGGREGATES) {
      expect(name).toBe(name.toLowerCase());
      expect(info.minArgs).toBeLessThanOrEqual(info.maxArgs);
    }
  });

  it('covers the functions of sumo-logic.md §1.4–§1.6', () => {
    for (const name of [
      'concat',
      'tolowercase',
      'touppercase',
      'substring',
      'length',
      'isnull',
      'isempty',
      'isblank',
      'isnumeric',
      'num',
      'tolong',
      'round',
      'ceil',
      'floor',
      'abs',
      'pow',
      'sqrt',
      'log',
      'formatdate',
      'parsedate',
      'now',
      'querystarttime',
      'queryendtime',
      'querytimerange',
      'replace',
      'trim',
      'format',
      'urldecode',
      'urlencode',
      'base64decode',
      'base64encode',
      'hash',
      'contains',
      'isvalidip',
      'isprivateip',
      'parsehex',
    ]) {
      expect(FUNCTIONS.has(name), name).toBe(true);
    }
  });

  it('keeps operators, aggregates and unsupported names apart', () => {
    for (const name of UNSUPPORTED_OPERATORS) expect(OPERATORS.has(name), name).toBe(false);
    expect(OPERATORS.get('order')?.synonymOf).toBe('sort');
  });
});

describe('suggestions', () => {
  it('computes Damerau distances', () => {
    expect(editDistance('where', 'where')).toBe(0);
    expect(editDistance('wehre', 'where')).toBe(1);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('kitten', 'sitting')).toBe(3);
  });

  it('suggests close names only', () => {
    expect(suggest('timeslise', ['timeslice', 'transpose'])).toEqual(['timeslice']);
    expect(suggest('xyz', ['timeslice'])).toEqual([]);
    expect(didYouMean('cnt', ['count', 'cat'])).toBe('did you mean "cat"?');
  });
});
