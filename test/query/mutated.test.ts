import fc from 'fast-check';
import { describe, it } from 'vitest';
import { checkInvariants } from '../../src/query/parser/testing.js';
import { loadCorpus } from './corpus.js';

const sample = loadCorpus('all-log-queries.jsonl')
  .filter((_, i) => i % 25 === 0)
  .map((q) => q.query);

/** A real query with a few random edits: deletions, insertions of syntax characters, truncation. */
const mutated = fc
  .record({
    index: fc.nat({ max: sample.length - 1 }),
    edits: fc.array(
      fc.record({
        at: fc.double({ min: 0, max: 1, noNaN: true }),
        cut: fc.nat({ max: 8 }),
        insert: fc.constantFrom('', '|', '(', ')', '"', ',', '=', '{{', '*', '/', 'as', 'by', '\n'),
      }),
      { minLength: 1, maxLength: 4 },
    ),
  })
  .map(({ index, edits }) => {
    let text = sample[index]!;
    for (const e of edits) {
      const at = Math.floor(e.at * text.length);
      text = text.slice(0, at) + e.insert + text.slice(at + e.cut);
    }
    return text;
  });

describe('parser on mutated real queries', () => {
  it('never throws and keeps spans inside the input', () => {
    fc.assert(
      fc.property(mutated, (text) => checkInvariants(text)),
      { numRuns: 1500 },
    );
  });
});
