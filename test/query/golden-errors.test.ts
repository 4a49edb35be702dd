/**
 * Golden files for diagnostic rendering (what the CLI prints). To update after an intended change:
 *   UPDATE_GOLDEN=1 npx vitest run test/query/golden-errors.test.ts
 * then review the diff of test/golden/query-errors/.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseQuery, renderDiagnostics } from '../../src/query/index.js';

const DIR = fileURLToPath(new URL('../golden/query-errors/', import.meta.url));
const UPDATE = process.env.UPDATE_GOLDEN === '1';

const CASES: Record<string, string> = {
  'unknown-operator': '_sourceCategory=prod/web | timeslise 5m | count by _timeslice',
  'unknown-function': '* | where toLowerCas(user) = "bob"',
  'unsupported-operator': '* | lookup type from path://"/Library/Users/me/t" on ip=ip | count by type',
  'several-errors': 'error\n| where x >\n| count by\n| limit 0',
  'parse-field-count': '* | parse "user=* ip=*" as user',
  'unterminated-string': '* | where msg = "oops',
  'unbalanced-scope': '(error OR fail AND _sourceCategory=prod',
  'empty-stage': '* | count || sort by _count',
  'tab-and-multiline': 'error\n|\twhere\tx ==\n| count',
  'regex-without-group': '* | parse regex "user=(\\w+)"',
  'wrong-arity': '* | substring(msg) as s',
  'aggregate-in-expression': '* | where sum(bytes) > 10',
  'invalid-duration': '* | timeslice 5y',
  'parameter-warning': '* | timeslice {{bucket}} | count by _timeslice',
  'end-of-query': '* | count by',
};

function render(query: string): string {
  const { diagnostics } = parseQuery(query);
  return `query:\n${query}\n\n${renderDiagnostics(query, diagnostics)}\n`;
}

describe('golden: query error rendering', () => {
  if (UPDATE) mkdirSync(DIR, { recursive: true });
  for (const [name, query] of Object.entries(CASES)) {
    it(name, () => {
      const file = `${DIR}${name}.txt`;
      const actual = render(query);
      if (UPDATE || !existsSync(file)) {
        if (!UPDATE) throw new Error(`missing golden file ${file}; run with UPDATE_GOLDEN=1`);
        writeFileSync(file, actual);
      }
      expect(actual).toBe(readFileSync(file, 'utf8'));
    });
  }
});
