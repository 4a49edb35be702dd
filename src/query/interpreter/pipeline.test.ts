import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseQuery } from '../index.js';
import { collectQuery, compileQuery, runQuery, type Row } from './index.js';
import { compileAnchorPattern } from './operators/parse-anchor.js';
import { escapeRegExp } from './regex.js';

function parsed(q: string): NonNullable<ReturnType<typeof parseQuery>['query']> {
  const r = parseQuery(q);
  if (r.query === undefined || r.diagnostics.some((d) => d.severity === 'error')) throw new Error(JSON.stringify(r.diagnostics));
  return r.query;
}
const ctx = { timeZone: 'UTC', now: 0 };

describe('anchor parse', () => {
  it('indexOf matching equals the lazy regex it stands for', () => {
    const alphabet = fc.constantFrom('a', 'b', 'A', '=', ' ', ';');
    fc.assert(
      fc.property(fc.array(fc.string({ unit: alphabet, maxLength: 3 }), { minLength: 2, maxLength: 4 }), fc.string({ unit: alphabet, maxLength: 24 }), (parts, text) => {
        const pattern = parts.join('*');
        let src = pattern.startsWith('*') ? '^' : '';
        parts.forEach((p, i) => {
          src += escapeRegExp(p);
          if (i < parts.length - 1) src += i === parts.length - 2 && parts[parts.length - 1] === '' ? '([\\s\\S]*)' : '([\\s\\S]*?)';
        });
        const m = new RegExp(src, 'i').exec(text);
        expect(compileAnchorPattern(pattern)(text)).toEqual(m === null ? null : m.slice(1));
      }),
    );
  });
});

describe('streaming', () => {
  it('produces results before the input ends (non-aggregate pipelines stream)', async () => {
    async function* endless(): AsyncGenerator<Row> {
      for (let i = 0; ; i++) {
        if (i % 1000 === 0) await Promise.resolve();
        yield { _raw: `n=${i}`, _messageTime: i };
      }
    }
    const got: Row[] = [];
    for await (const r of runQuery(parsed('| parse "n=*" as n | where n % 2 = 0'), endless(), ctx)) {
      got.push(r);
      if (got.length === 3) break;
    }
    expect(got.map((r) => r.n)).toEqual(['0', '2', '4']);
  });

  it('limit stops pulling input', async () => {
    let pulled = 0;
    function* source(): Generator<Row> {
      for (let i = 0; i < 1_000_000; i++) {
        pulled++;
        yield { _raw: String(i), _messageTime: i };
      }
    }
    const r = await collectQuery(parsed('| limit 5'), source(), ctx);
    expect(r.rows).toHaveLength(5);
    expect(pulled).toBeLessThan(10);
  });

  it('does not modify the caller\'s rows', async () => {
    const input: Row[] = [{ _raw: 'a=1', _messageTime: 0 }];
    await collectQuery(parsed('| parse "a=*" as a'), input, ctx);
    expect(input[0]).toEqual({ _raw: 'a=1', _messageTime: 0 });
  });
});

describe('errors', () => {
  it('compileQuery returns diagnostics; runQuery throws an AppError for them', () => {
    const q = parsed('| count | compare timeshift 1d');
    const c = compileQuery(q, ctx);
    expect(c.ok).toBe(false);
    expect(() => runQuery(q, [], ctx)).toThrow(/compare/);
  });

  it('collectQuery orders record columns as the query names them', async () => {
    const r = await collectQuery(parsed('| parse "k=*" as Key | count as N, max(_messageTime) as Last by Key'), [{ _raw: 'k=x', _messageTime: 5 }], ctx);
    expect(r.fields).toEqual(['Key', 'N', 'Last']);
    expect(r.rows).toEqual([{ Key: 'x', N: 1, Last: 5 }]);
  });
});

describe('properties', () => {
  const QUERIES = [
    '| parse "k=*;" as k nodrop | count by k',
    '| kv auto | where v > 3 | count',
    '| parse regex "(?<n>\\\\d+)" multi | sum(n) by n',
    '| json auto | fields - _raw',
    'a OR b* | dedup | limit 7',
    '| parse "k=*;" as k | sort by k asc | accum _messageTime',
    '| timeslice 1m | count by _timeslice | fillmissing timeslice(1m) | outlier _count window=2',
  ];
  const line = fc.string({ unit: fc.constantFrom('a', 'b', 'k', '=', ';', ' ', '1', '5', '{', '}', '"', ':', 'v'), maxLength: 20 });

  it('run and runBatches agree, and nothing throws', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...QUERIES), fc.array(line, { maxLength: 30 }), fc.integer({ min: 1, max: 7 }), async (q, lines, batchSize) => {
        const rows = (): Row[] => lines.map((l, i) => ({ _raw: l, _messageTime: i * 20_000 }));
        const compiled = compileQuery(parsed(q), ctx);
        if (!compiled.ok) throw new Error(q);
        const a: Row[] = [];
        for await (const r of compiled.value.run(rows())) a.push(r);
        async function* batches(): AsyncGenerator<Row[]> {
          const all = rows();
          for (let i = 0; i < all.length; i += batchSize) {
            await Promise.resolve();
            yield all.slice(i, i + batchSize);
          }
        }
        const b: Row[] = [];
        for await (const r of compiled.value.runBatches(batches())) b.push(r);
        expect(b).toEqual(a);
      }),
      { numRuns: 150 },
    );
  });

  it('count by a field accounts for every row', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.constantFrom('k=a;', 'k=b;', 'k=;', 'x', 'k=A;'), { maxLength: 50 }), async (lines) => {
        const r = await collectQuery(parsed('| parse "k=*;" as k nodrop | count by k'), lines.map((l) => ({ _raw: l })), ctx);
        const total = r.rows.reduce((n, row) => n + (row._count as number), 0);
        expect(total).toBe(lines.length);
        expect(new Set(r.rows.map((row) => row.k)).size).toBe(r.rows.length);
      }),
    );
  });
});
