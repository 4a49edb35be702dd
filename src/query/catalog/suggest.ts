/**
 * Optimal-string-alignment (restricted Damerau–Levenshtein) distance: insertions, deletions,
 * substitutions and transpositions of adjacent characters each cost 1.
 */
export function editDistance(a: string, b: string): number {
  const n = a.length;
  const m = b.length;
  if (n === 0) return m;
  if (m === 0) return n;
  let prevPrev = new Array<number>(m + 1).fill(0);
  let prev = Array.from({ length: m + 1 }, (_, j) => j);
  let current = new Array<number>(m + 1).fill(0);
  for (let i = 1; i <= n; i++) {
    current[0] = i;
    for (let j = 1; j <= m; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(prev[j]! + 1, current[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        best = Math.min(best, prevPrev[j - 2]! + 1);
      current[j] = best;
    }
    [prevPrev, prev, current] = [prev, current, prevPrev];
  }
  return prev[m]!;
}

/**
 * The closest candidates to `word` (case-insensitive), best first; only those within a distance that
 * grows with the word's length (1 for short words, up to 3), at most `limit`.
 */
export function suggest(word: string, candidates: Iterable<string>, limit = 3): string[] {
  const lower = word.toLowerCase();
  // Nothing is 3 edits away from a very long word; skip the quadratic work.
  if (lower.length > 40) return [];
  const maxDistance = lower.length <= 3 ? 1 : lower.length <= 6 ? 2 : 3;
  const scored: { name: string; distance: number }[] = [];
  for (const candidate of candidates) {
    const distance = editDistance(lower, candidate.toLowerCase());
    if (distance <= maxDistance) scored.push({ name: candidate, distance });
  }
  scored.sort((x, y) => x.distance - y.distance || x.name.localeCompare(y.name));
  return scored.slice(0, limit).map((s) => s.name);
}

/** `did you mean "a" or "b"?`, or undefined when there is nothing close. */
export function didYouMean(word: string, candidates: Iterable<string>): string | undefined {
  const names = suggest(word, candidates);
  if (names.length === 0) return undefined;
  return `did you mean ${names.map((n) => `"${n}"`).join(' or ')}?`;
}
