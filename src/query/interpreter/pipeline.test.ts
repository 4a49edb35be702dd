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
