/** Loads the real Sumo Logic query corpus from ../shared/data (never copied into the repo). */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const DATA = fileURLToPath(new URL('../../../shared/data/sumo-queries/', import.meta.url));

export interface CorpusQuery {
  id: string;
  query: string;
  query_vars_as_star: string;
  exact_source: boolean;
}

export function loadCorpus(file: 'curated-100.jsonl' | 'all-log-queries.jsonl'): CorpusQuery[] {
  return readFileSync(DATA + file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as CorpusQuery);
}
