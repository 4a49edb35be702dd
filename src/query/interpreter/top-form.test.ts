import { describe, expect, it } from 'vitest';
import type { TopStage } from '../ast.js';
import { stageOf, stripSpans } from '../parser/testing.js';
import { topForm } from './top-form.js';

const top = (text: string): TopStage => stageOf(text) as TopStage;
const form = (text: string, overRecords = false) => stripSpans(topForm(top(text), overRecords));
const key = (name: string, direction: 'asc' | 'desc') => ({ kind: 'SortKey', direction, expression: { kind: 'Field', name, quoted: false } });

describe('topForm', () => {
  it('counts by the fields without by, or with by count / _count over messages', () => {
    for (const text of ['top 5 url', 'top 5 url by count', 'top 5 url by _count', 'top 5 url by _COUNT desc', 'top 5 url by -count']) {
      expect(form(text), text).toMatchObject({ kind: 'count', count: 5, keys: [key('_count', 'desc')] });
    }
    expect(form('top url')).toMatchObject({ kind: 'count', count: 10 });
    expect(form('top 5 url by +count')).toMatchObject({ kind: 'count', keys: [key('_count', 'asc')] });
    expect(form('top 5 url, host by count, host asc')).toMatchObject({ kind: 'count', keys: [key('_count', 'desc'), key('host', 'asc')] });
  });

  it('ranks messages by a field into records of the listed and key fields', () => {
    expect(form('top 10 _sourceCategory by _messagetime')).toMatchObject({ kind: 'rank', project: ['_sourceCategory', '_messagetime'] });
    expect(form('top 3 a, b by B, c')).toMatchObject({ kind: 'rank', project: ['a', 'b', 'c'] });
    // A quoted `count` is a field, not the count.
    expect(form('top 3 a by %"count"')).toMatchObject({ kind: 'rank', project: ['a', 'count'] });
  });

  it('ranks records by the keys as written, keeping their fields', () => {
    expect(form('top 2 user by _count', true)).toMatchObject({ kind: 'rank', keys: [key('_count', 'desc')] });
    expect(topForm(top('top 2 user by _count'), true)).toMatchObject({ project: undefined });
    expect(form('top 2 user by count', true)).toMatchObject({ kind: 'rank', keys: [key('count', 'desc')] });
    expect(form('top 2 user by num(x) + 1', true)).toMatchObject({ kind: 'rank' });
    // Without by, top counts records by the fields as it counts messages.
    expect(form('top 2 user', true)).toMatchObject({ kind: 'count' });
  });

  it('refuses over messages what it cannot rank: count with an unlisted key, an expression', () => {
    expect(form('top 3 url by count, status')).toEqual({
      kind: 'invalid',
      message: 'top … by count ranks the groups of url by _count; status is not a listed field (list it: top 3 url, status by count)',
    });
    expect(form('top 3 url by bytes / 2')).toEqual({
      kind: 'invalid',
      message: 'top over messages ranks by count or by a field: name the value first (bytes / 2 as v | top 3 url by v)',
    });
  });
});
