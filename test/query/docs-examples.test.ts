import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseQuery } from '../../src/query/index.js';

const DOC = readFileSync(fileURLToPath(new URL('../../docs/query-language.md', import.meta.url)), 'utf8');

/** `code` snippets of the "Operators" table's example column. */
function operatorExamples(): [string, string][] {
  const section = DOC.slice(DOC.indexOf('## Operators'), DOC.indexOf('Notes on choices'));
  const out: [string, string][] = [];
  for (const line of section.split('\n')) {
    const cells = line.split(' | ');
    if (cells.length < 2 || line.startsWith('|---') || line.startsWith('| operator')) continue;
    for (const m of cells[1]!.matchAll(/`([^`]+)`/g)) out.push([cells[0]!.replace(/^\| /, ''), m[1]!]);
  }
  return out;
}

describe('docs/query-language.md examples', () => {
  const examples = operatorExamples();
  it('has examples', () => expect(examples.length).toBeGreaterThan(60));
  it.each(examples)('%s: %s', (_operator, example) => {
    const errors = parseQuery(`* | ${example}`).diagnostics.filter(
      (d) => d.severity === 'error' && d.code !== 'Q3001',
    );
    expect(errors).toEqual([]);
  });
});
