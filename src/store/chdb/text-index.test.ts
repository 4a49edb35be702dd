import { clickhouseDialect } from '../../query/sql/dialect.js';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Session } from 'chdb';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ScopeExpr } from '../../query/ast.js';
import { DiagnosticSink } from '../../query/interpreter/diagnostics.js';
import { compileScope } from '../../query/interpreter/scope.js';
import { createLogsTableSql, logsTableSetupSql, textIndexBackfillSql } from './schema.js';
import { textIndexExpression, textIndexPredicate, textIndexTokensExpression, textIndexTokensSource, type TextIndexKind } from './text-index.js';

// Rows that separate "word boundary, any case" from what a tokenizer sees: Unicode punctuation next
// to a word, letters glued to words, case folding outside ASCII, underscores, dots, combining marks.
const tricky = [
  'User LOGIN failed for bob',
  'login_failed event',
  'relogin attempt',
  'loginé and élogin are other words',
  'login—ok', // em dash
  '“login” quoted',
  '«LOGIN»',
  'LOGIN… ellipsis',
  'login\u00A0now', // no-break space
  'log in twice',
  'login\u0301 with a combining accent', // the mark is not a letter: a boundary
  '🔥login🔥',
  '\u212Aelvin sign', // KELVIN SIGN matches k case-insensitively
  '\u017Ftatus long s', // LONG S matches s case-insensitively
  'ＬＯＧＩＮ fullwidth',
  'STRASSE straße İSTANBUL istanbul',
  'ip=10.0.0.1 and 10.0.0.12',
  'request_id=7F3C9A2E-4B1D-4E8F-9C6A-2D5B8E1F0A37 upper',
  '/api/v1/orders/7f3c9a2e-4b1d-4e8f-9c6a-2d5b8e1f0a37',
  'foo_bar baz',
  '_bar',
  'a-b and b-a',
  'error:timeout\tafter 30 ms',
  'Timeout',
  'TIMEOUTS',
  'x\u2028y', // line separator
  'tab\tseparated\u3000ideographic space',
  '٣login', // Arabic-Indic digit glued: a word character
  'login٣',
  // The text index keeps tokens of 5+ characters, cut to 6: boundaries and shared prefixes.
  'code 1234 and 12345 and 123456789',
  'abcd abcde abcdef abcdefg',
  'ABCDEFGHIJ upper long',
  'trace_id=144c6b35a5949282 span=144c6b00',
  'timeouts timeoutx',
  'user=bob GET /api/v1/orders 500',
  'Ｌogin mixed fullwidth', // a non-ASCII letter glued to ASCII letters: one token
  '',
];

const terms = [
  'login',
  'LOGIN',
  'Login now',
  'log in',
  'kelvin',
  'status',
  'istanbul',
  'strasse',
  '10.0.0.1',
  '0',
  'ip=10',
  '7f3c9a2e-4b1d-4e8f-9c6a-2d5b8e1f0a37',
  'foo_bar',
  '_bar',
  'bar',
  'a-b',
  '-b',
  'b-',
  'error:timeout',
  'timeout',
  'timeouts',
  'x y',
  'ideographic space',
  'separated ideographic',
  '🔥login',
  'abcde',
  'abcdef',
  'abcdefg',
  'abcdefghij',
  '12345',
  '123456789',
  '1234',
  '144c6b35a5949282',
  'trace_id=144c6b35a5949282',
  'timeoutx',
  'orders 500',
  'GET /api/v1/orders',
  'ogin',
];

const kinds: TextIndexKind[] = ['text', 'tokenbf'];
let dir: string;
let session: Session;

function query(sql: string, params: Record<string, unknown> = {}): string {
  return session.queryBind(sql, params, 'TSV');
}

function ids(table: string, where: string, params: Record<string, string | number>): number[] {
  const text = query(`SELECT toUInt32(size) FROM ${table} WHERE ${where} ORDER BY 1 SETTINGS use_query_condition_cache = 0`, params);
  return text
    .split('\n')
    .filter((l) => l.length > 0)
    .map(Number);
}

function insertRows(table: string, messages: string[]): void {
  // `size` carries the row number so results can be compared with the interpreter's.
  query(`INSERT INTO ${table} (ts, receipt_ts, message, size)
    SELECT '2026-11-01', '2026-11-01', m, toUInt32(i - 1) FROM (SELECT arrayJoin(arrayEnumerate({m:Array(String)})) AS i, {m:Array(String)}[i] AS m)`, { m: messages });
}

function interpreterIds(term: string, messages: string[]): number[] {
  const scope: ScopeExpr = /\s/.test(term)
    ? { kind: 'ScopePhrase', value: term, hasWildcard: false, span: { start: 0, end: term.length } }
    : { kind: 'ScopeTerm', text: term, hasWildcard: false, span: { start: 0, end: term.length } };
  const matches = compileScope(scope, new DiagnosticSink());
  return messages.flatMap((m, i) => (matches({ _raw: m }) ? [i] : []));
}

function predicateOf(term: string, kind: TextIndexKind): { sql: string; params: Record<string, string | number> } | undefined {
  const tree = textIndexPredicate(term, kind);
  return tree === undefined ? undefined : clickhouseDialect.render(tree);
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'quarry-text-index-'));
  session = new Session(dir);
  for (const kind of kinds) {
    for (const sql of logsTableSetupSql({ textIndex: kind, table: `logs_${kind}`, tokenbfBytes: 4096 })) query(sql);
    insertRows(`logs_${kind}`, tricky);
  }
});

afterAll(() => {
  session?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('textIndexPredicate', () => {
  it('declines what the index cannot answer', () => {
    for (const term of ['log*', 'l?gin', 'straße', 'é', '---', '', '   ']) expect(predicateOf(term, 'text'), term).toBeUndefined();
    expect(predicateOf('login', 'none')).toBeUndefined();
  });

  it('[tokenbf] asks for each letter/digit run of a term as a whole lower-case token', () => {
    const p = predicateOf('ERROR:Timeout error', 'tokenbf');
    expect(p?.params).toEqual({ p0: 'error', p1: 'timeout' });
    expect(p?.sql.match(/hasToken\(/g)).toHaveLength(2);
  });

  it('[text] asks for the first 6 characters of each run of at least 5 characters', () => {
    const p = predicateOf('ERROR:Timeout error GET 500 12345 7F3C9A2E-4B1D timeouts', 'text');
    expect(p?.params).toEqual({ p0: 'error', p1: 'timeou', p2: '12345', p3: '7f3c9a' });
    expect(p?.sql.match(/has\(extractAll/g)).toHaveLength(4);
    // Only short runs: nothing the index holds, so no narrowing (the term is scanned).
    for (const term of ['GET 500', '10.0.0.1', 'user=bob', 'abcd']) expect(predicateOf(term, 'text'), term).toBeUndefined();
  });

  for (const kind of kinds) {
    it(`[${kind}] keeps every row the interpreter matches (tricky rows)`, () => {
      let narrowed = 0;
      for (const term of terms) {
        const p = predicateOf(term, kind);
        if (!p) continue;
        const expected = interpreterIds(term, tricky);
        const got = ids(`logs_${kind}`, p.sql, p.params);
        expect(got, `term ${JSON.stringify(term)}`).toEqual(expect.arrayContaining(expected));
        if (got.length < tricky.length) narrowed++;
      }
      // The check must be able to fail: the predicate really filters.
      expect(narrowed).toBeGreaterThan(terms.length / 2);
    });

    it(`[${kind}] the planner's form is served by the index`, () => {
      const table = `big_${kind}`;
      for (const sql of logsTableSetupSql({ textIndex: kind, table })) query(sql);
      query(
        `INSERT INTO ${table} (ts, receipt_ts, message, size)
         SELECT '2026-11-01', '2026-11-01', if(number = 70000, 'the NeedleX—here', concat('row ', toString(number), ' filler')), 0
         FROM numbers(100000)`,
      );
      const p = predicateOf('needlex', kind)!;
      const explain = query(`EXPLAIN indexes = 1 SELECT count() FROM ${table} WHERE ${p.sql}`, p.params);
      const granules = [...explain.matchAll(/Granules: (\d+)\/(\d+)/g)].map((m) => Number(m[1]));
      expect(Math.min(...granules)).toBeLessThanOrEqual(1);
      expect(ids(table, p.sql, p.params)).toHaveLength(1);
    });
  }

  for (const kind of kinds) {
    it(`[${kind}] is a superset on random words and separators (property)`, () => {
      const piece = fc.constantFrom('log', 'in', 'LOG', 'ok', '42', '12345', 'x', 'abcdefgh', 'Timeout', '_', '-', '.', ' ', '—', '“', 'é', '\u212A', '\u017F', 's', 'k', '٣', '\u0301', '🔥', '\u00A0');
      const text = fc.array(piece, { minLength: 1, maxLength: 8 }).map((p) => p.join(''));
      // Terms from ASCII pieces only (others are declined), messages from all pieces.
      const asciiPiece = fc.constantFrom('log', 'in', 'LOG', 'ok', '42', '12345', 'x', 'abcdefgh', 'Timeout', '_', '-', '.', ' ', 's', 'k');
      const term = fc.array(asciiPiece, { minLength: 1, maxLength: 4 }).map((p) => p.join('').trim());
      let narrowed = 0;
      fc.assert(
        fc.property(fc.array(text, { minLength: 1, maxLength: 30 }), term, fc.array(piece, { maxLength: 2 }), (random, t, glue) => {
          const p = predicateOf(t, kind);
          if (!p) return true;
          // Every third message carries the term between random pieces, so most runs have hits.
          const messages = random.map((m, i) => (i % 3 === 0 ? `${m}${glue[0] ?? ' '}${t}${glue[1] ?? ' '}${m}` : m));
          const table = `prop_${kind}`;
          query(`DROP TABLE IF EXISTS ${table}`);
          for (const sql of logsTableSetupSql({ textIndex: kind, table, tokenbfBytes: 4096 })) query(sql);
          insertRows(table, messages);
          const got = new Set(ids(table, p.sql, p.params));
          if (got.size < messages.length) narrowed++;
          return interpreterIds(t, messages).every((i) => got.has(i));
        }),
        { numRuns: 40, seed: 20261122 },
      );
      expect(narrowed).toBeGreaterThan(0);
    });
  }

  it('[text] the index holds the runs of 5+ letters/digits, cut to 6 characters', () => {
    // Read back what ClickHouse builds the index on, so the rule the predicate relies on is checked
    // against the engine, not restated.
    const tokensOf = (m: string): string => query(`SELECT ${textIndexTokensExpression} FROM (SELECT {m:String} AS message)`, { m }).trim();
    expect(tokensOf('GET /api/v1/Orders 500 12345 trace=144C6B35A5949282 abcd—efghi Ｌogin')).toBe(
      "['orders','12345','trace','144c6b','efghi']",
    );
    expect(tokensOf('abcd abcde abcdef abcdefg 1234 123456789 a_bcdefgh')).toBe("['abcde','abcdef','abcdef','123456','bcdefg']");
    expect(tokensOf('')).toBe('[]');
  });

  it('[text] the tokens are those cut from the normalised message (no Unicode regex needed)', () => {
    // textIndexTokensSource skips textIndexExpression's replacement of non-ASCII non-letters; a run
    // of [a-z0-9] ends at them anyway, so both give the same array on every message.
    const fromNormalised = textIndexTokensExpression.replace(textIndexTokensSource, textIndexExpression);
    expect(fromNormalised).not.toBe(textIndexTokensExpression);
    const same = (messages: string[]): void => {
      const sql = `SELECT ${textIndexTokensExpression} = ${fromNormalised} FROM (SELECT arrayJoin({m:Array(String)}) AS message)`;
      expect(query(sql, { m: messages }).trim().split('\n')).toEqual(messages.map(() => '1'));
    };
    same(tricky);
    const piece = fc.constantFrom('abcdefgh', 'Timeout', 'LOGIN', '12345', 'x', '—', '“', 'é', 'É', '\u212A', '\u017F', '٣', '\u0301', '🔥', '\u00A0', 'ß', 'İ', '-', ' ');
    fc.assert(
      fc.property(fc.array(fc.array(piece, { minLength: 1, maxLength: 10 }).map((p) => p.join('')), { minLength: 1, maxLength: 50 }), (messages) => {
        same(messages);
      }),
      { numRuns: 30, seed: 20261122 },
    );
  });
});

describe('logsTableSetupSql on an existing table', () => {
  it('adds the chosen index to a table that lacks it; old parts stay correct', () => {
    const table = 'upgrade';
    for (const sql of logsTableSetupSql({ textIndex: 'none', table })) query(sql);
    insertRows(table, tricky);
    for (const sql of logsTableSetupSql({ textIndex: 'text', table })) query(sql);
    expect(query(`SHOW CREATE TABLE ${table}`)).toContain('INDEX message_tokens');
    insertRows(table, tricky);
    const p = predicateOf('LOGIN', 'text')!;
    const expected = interpreterIds('login', tricky);
    const got = ids(table, p.sql, p.params);
    for (const id of expected) expect(got.filter((g) => g === id)).toHaveLength(2);
    // Switching kinds drops Quarry's other index.
    for (const sql of logsTableSetupSql({ textIndex: 'tokenbf', table })) query(sql);
    const ddl = query(`SHOW CREATE TABLE ${table}`);
    expect(ddl).toContain('INDEX message_tokenbf');
    expect(ddl).not.toContain('INDEX message_tokens');
  });

  it('replaces the message_words index (tokens cut from the regex expression) and backfills its successor', () => {
    const table = 'words_layout';
    const previous = textIndexTokensExpression.replace(textIndexTokensSource, textIndexExpression);
    query(createLogsTableSql({ table, textIndex: 'none' }).replace(/\n\)\nENGINE/, `,\n  INDEX message_words (${previous}) TYPE text(tokenizer = array)\n)\nENGINE`));
    insertRows(table, tricky);
    const before = query(`SELECT name FROM system.data_skipping_indices WHERE database = currentDatabase() AND table = '${table}'`).trim().split('\n');
    expect(before).toEqual(['message_words']);
    // With the table's indexes known, only those present are dropped (each DROP is a mutation).
    const setup = logsTableSetupSql({ textIndex: 'text', table, existingIndexes: before });
    expect(setup.filter((sql) => sql.includes('DROP INDEX'))).toEqual([`ALTER TABLE ${table} DROP INDEX IF EXISTS message_words`]);
    for (const sql of setup) query(sql);
    const ddl = query(`SHOW CREATE TABLE ${table}`);
    expect(ddl).toContain('INDEX message_tokens');
    expect(ddl).not.toContain('INDEX message_words');
    // The part written before has no message_tokens files until the backfill mutation builds them.
    const backfill = textIndexBackfillSql({ textIndex: 'text', table }, before, 1);
    expect(backfill).toBe(`ALTER TABLE ${table} MATERIALIZE INDEX message_tokens SETTINGS mutations_sync = 0`);
    query(backfill!);
    let left = '1';
    for (let i = 0; i < 100 && left !== '0'; i++) {
      left = query(`SELECT count() FROM system.mutations WHERE table = '${table}' AND NOT is_done`).trim();
      if (left !== '0') execFileSync('sleep', ['0.1']);
    }
    expect(left).toBe('0');
    const p = predicateOf('LOGIN', 'text')!;
    const plan = query(`EXPLAIN indexes = 1 SELECT count() FROM ${table} WHERE ${p.sql}`, p.params);
    expect(plan).toMatch(/Name: message_tokens/);
    expect(ids(table, p.sql, p.params)).toEqual(expect.arrayContaining(interpreterIds('login', tricky)));
    // Nothing to build: a table that had the index, an empty table, or no index chosen.
    expect(textIndexBackfillSql({ textIndex: 'text', table }, ['message_tokens'], 3)).toBeUndefined();
    expect(textIndexBackfillSql({ textIndex: 'text', table }, [], 0)).toBeUndefined();
    expect(textIndexBackfillSql({ textIndex: 'none', table }, [], 3)).toBeUndefined();
  });

  it('moves a table of the previous layout (message_text index, ZSTD(1)) to the current one', () => {
    const table = 'previous_layout';
    // The layout Quarry created before: every token of the normalised message in a text index.
    query(`CREATE TABLE ${table} (
      ts DateTime64(3, 'UTC') CODEC(Delta, ZSTD(1)), receipt_ts DateTime64(3, 'UTC') CODEC(Delta, ZSTD(1)),
      partition LowCardinality(String), source_category LowCardinality(String), source_host LowCardinality(String),
      source_name LowCardinality(String), collector LowCardinality(String), source LowCardinality(String),
      fields Map(LowCardinality(String), String), message String CODEC(ZSTD(1)), size UInt32 CODEC(T64, ZSTD(1)),
      format LowCardinality(String),
      INDEX message_text (${textIndexExpression}) TYPE text(tokenizer = splitByNonAlpha, posting_list_codec = 'bitpacking'))
      ENGINE = MergeTree PARTITION BY toDate(ts) ORDER BY (partition, source_category, ts)`);
    insertRows(table, tricky);
    for (const sql of logsTableSetupSql({ textIndex: 'text', table })) query(sql);
    const ddl = query(`SHOW CREATE TABLE ${table}`);
    expect(ddl).not.toContain('INDEX message_text');
    expect(ddl).toContain('INDEX message_tokens');
    expect(ddl).toContain('`message` String CODEC(ZSTD(6))');
    expect(ddl).toContain("default_compression_codec = \\'ZSTD(1)\\'");
    // The old part has no message_tokens index: it is scanned, with the same answers.
    for (const term of terms) {
      const p = predicateOf(term, 'text');
      if (!p) continue;
      expect(ids(table, p.sql, p.params), term).toEqual(expect.arrayContaining(interpreterIds(term, tricky)));
    }
    // Running the setup again changes nothing (every statement is idempotent).
    for (const sql of logsTableSetupSql({ textIndex: 'text', table })) query(sql);
    expect(query(`SHOW CREATE TABLE ${table}`)).toBe(ddl);
  });
});
