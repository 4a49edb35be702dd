import { describe, expect, it } from 'vitest';
import { codesOf, stageOf } from './testing.js';

const name = (n: string): object => ({ kind: 'FieldName', name: n, quoted: false });

describe('transpose', () => {
  it('parses row, column and as lists', () => {
    expect(stageOf('transpose row _timeslice column status as %"200", %"404", *')).toEqual({
      kind: 'Transpose',
      row: [name('_timeslice')],
      column: [name('status')],
      asFields: [
        { kind: 'FieldName', name: '200', quoted: true },
        { kind: 'FieldName', name: '404', quoted: true },
      ],
      asStar: true,
    });
    expect(codesOf('* | transpose column x')).toEqual(['Q2001']);
  });
});

describe('fillmissing', () => {
  it('parses generators, with … for and takeLast', () => {
    expect(
      stageOf('fillmissing timeslice(15m) in t, values("web", "api") in type with -1 for _count takeLast'),
    ).toMatchObject({
      kind: 'FillMissing',
      generators: [
        { kind: 'TimesliceGenerator', size: { ms: 900_000 }, field: name('t') },
        {
          kind: 'ValuesGenerator',
          values: [{ value: 'web' }, { value: 'api' }],
          all: false,
          field: name('type'),
        },
      ],
      fill: { value: { kind: 'Unary', operator: '-' }, fields: [name('_count')] },
      takeLast: true,
    });
    expect(stageOf('fillmissing timeslice, values all in sweets')).toMatchObject({
      generators: [{ kind: 'TimesliceGenerator' }, { kind: 'ValuesGenerator', all: true }],
    });
  });
});

describe('series operators', () => {
  it('parses accum/total/diff/backshift/smooth/rollingstd', () => {
    expect(stageOf('accum _count as running by host')).toEqual({
      kind: 'Accum',
      field: name('_count'),
      alias: name('running'),
      by: [name('host')],
    });
    expect(stageOf('total x')).toMatchObject({ kind: 'Total', field: name('x') });
    expect(stageOf('total(rownum) by u')).toMatchObject({ kind: 'Total', by: [name('u')] });
    expect(stageOf('diff _count by _sourceHost')).toMatchObject({ kind: 'Diff' });
    expect(stageOf('backshift x, 2 BY g')).toMatchObject({ kind: 'Backshift', window: 2, by: [name('g')] });
    expect(stageOf('smooth x, 5 as s')).toMatchObject({ kind: 'Smooth', window: 5, alias: name('s') });
    expect(stageOf('rollingstd x')).toMatchObject({ kind: 'RollingStd' });
  });
});

describe('compare', () => {
  it('parses timeshifts with periods, aggregates and aliases', () => {
    expect(stageOf('compare with timeshift 1d 7 avg')).toEqual({
      kind: 'Compare',
      shifts: [
        {
          kind: 'TimeShift',
          shift: { kind: 'Duration', text: '1d', ms: 86_400_000 },
          periods: 7,
          aggregate: 'avg',
        },
      ],
    });
    expect(stageOf('compare timeshift 1d as yesterday, timeshift 1w 4 as weeks')).toMatchObject({
      shifts: [{ alias: name('yesterday') }, { periods: 4, alias: name('weeks') }],
    });
  });
});

describe('predict / outlier', () => {
  it('parses predict options', () => {
    expect(stageOf('predict _count by 1m model=ar, ar.window=5, forecast=10')).toMatchObject({
      kind: 'Predict',
      field: name('_count'),
      by: { ms: 60_000 },
      model: 'ar',
      arWindow: 5,
      forecast: { points: 10 },
    });
    expect(stageOf('predict _count by 1m forecast=5m')).toMatchObject({
      model: 'linear',
      forecast: { duration: { ms: 300_000 } },
    });
    expect(codesOf('* | predict x model=quadratic')).toEqual(['Q2018']);
  });

  it('parses outlier options and by', () => {
    expect(stageOf('outlier rt window=10, threshold=3.5, consecutive=2, direction=+-')).toMatchObject({
      kind: 'Outlier',
      window: 10,
      threshold: 3.5,
      consecutive: 2,
      direction: '+-',
      by: [],
    });
    expect(stageOf('outlier _count by _sourceHost window=5')).toMatchObject({
      by: [name('_sourceHost')],
      window: 5,
    });
    expect(codesOf('* | outlier x direction=up')).toEqual(['Q2018']);
  });
});
