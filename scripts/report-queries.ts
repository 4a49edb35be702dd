/**
 * Parses every query of the real-query corpus and prints how many parse, how many use operators that
 * are not supported yet (by operator), the most common syntax errors, and crashes (must be 0).
 * Usage: npm run report:queries [-- --file <jsonl>] [--field query|query_vars_as_star] [--show N] [--grep text]
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseQuery } from '../src/query/index.js';
import type { Diagnostic } from '../src/query/index.js';

const UNSUPPORTED_CODES = new Set(['Q3001', 'Q3002', 'Q3003']);
const INTERNAL_CODE = 'Q9001';

interface Row {
  query: string;
  exact_source?: boolean;
  id?: string;
  [key: string]: unknown;
}

function argument(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : fallback;
}

interface Tally {
  total: number;
  parsed: number;
  unsupportedOnly: number;
  syntax: number;
  crashes: number;
}

const newTally = (): Tally => ({ total: 0, parsed: 0, unsupportedOnly: 0, syntax: 0, crashes: 0 });

function main(): void {
  const file = resolve(argument('--file', '../shared/data/sumo-queries/all-log-queries.jsonl'));
  const field = argument('--field', 'query');
  const show = Number(argument('--show', '0'));
  const grep = argument('--grep', '');
  const rows = readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Row);

  const all = newTally();
  const exact = newTally();
  const unsupportedBy = new Map<string, number>();
  const messages = new Map<string, number>();
  const examples: { id: string; query: string; diagnostic: Diagnostic }[] = [];
  const started = performance.now();

  for (const row of rows) {
    const value = row[field];
    const text = typeof value === 'string' ? value : row.query;
    const tallies = row.exact_source === true ? [all, exact] : [all];
    let diagnostics: Diagnostic[];
    try {
      diagnostics = parseQuery(text).diagnostics;
    } catch {
      for (const t of tallies) t.crashes++;
      continue;
    }
    const errors = diagnostics.filter((d) => d.severity === 'error');
    if (errors.some((d) => d.code === INTERNAL_CODE)) {
      for (const t of tallies) t.crashes++;
      continue;
    }
    const syntax = errors.filter((d) => !UNSUPPORTED_CODES.has(d.code));
    for (const t of tallies) t.total++;
    if (syntax.length > 0) {
      for (const t of tallies) t.syntax++;
      const first = syntax[0]!;
      const key = `${first.code} ${first.message}`;
      messages.set(key, (messages.get(key) ?? 0) + 1);
      if (examples.length < show && key.includes(grep))
        examples.push({ id: String(row.id ?? ''), query: text, diagnostic: first });
    } else if (errors.length > 0) {
      for (const t of tallies) t.unsupportedOnly++;
      const names = new Set(
        errors.map((d) =>
          d.code === 'Q3003'
            ? 'json path filter'
            : (/(?:operator|function) (\S+)/.exec(d.message)?.[1] ?? d.message),
        ),
      );
      for (const name of names) unsupportedBy.set(name, (unsupportedBy.get(name) ?? 0) + 1);
    } else {
      for (const t of tallies) t.parsed++;
    }
  }
  // Rows that crashed are not in `total`; count them back for the percentages.
  const pct = (t: Tally): string =>
    (((t.parsed + t.unsupportedOnly) / Math.max(1, t.total + t.crashes)) * 100).toFixed(2);
  const line = (label: string, t: Tally): string =>
    `${label.padEnd(14)} total ${t.total + t.crashes}  parsed ${t.parsed}  not-yet-supported ${t.unsupportedOnly}  syntax errors ${t.syntax}  crashes ${t.crashes}  → ok ${pct(t)}%`;

  console.log(
    `file: ${file} (field: ${field}), ${rows.length} queries, ${(performance.now() - started).toFixed(0)} ms`,
  );
  console.log(line('all', all));
  console.log(line('exact_source', exact));
  console.log('\nnot yet supported (queries using the operator):');
  for (const [name, n] of [...unsupportedBy].sort((a, b) => b[1] - a[1]))
    console.log(`  ${String(n).padStart(6)}  ${name}`);
  console.log('\nsyntax errors, 20 most common first messages:');
  for (const [message, n] of [...messages].sort((a, b) => b[1] - a[1]).slice(0, 20))
    console.log(`  ${String(n).padStart(6)}  ${message}`);
  for (const e of examples) {
    const { start, end } = e.diagnostic.span;
    console.log(
      `\n--- ${e.id}: ${e.diagnostic.code} ${e.diagnostic.message}\n${e.query.slice(Math.max(0, start - 150), start)}⟦${e.query.slice(start, end)}⟧${e.query.slice(end, end + 100)}`,
    );
  }
  if (all.crashes > 0) process.exitCode = 1;
}

main();
