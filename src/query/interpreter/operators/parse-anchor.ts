/**
 * `parse "start*stop"`: literal anchors match case-insensitively (inferred from Sumo's
 * `user=*:` example matching `User=`), each `*` captures lazily up to the first occurrence of the
 * next anchor, and may span newlines. A pattern that starts with `*` captures from the start of
 * the text; one that ends with `*` captures to the end of the text (a lazy capture with nothing
 * after it would always be empty).
 *
 * Matching is a chain of indexOf calls, which gives the same result as the lazy regex
 * `a(.*?)b(.*?)c`: if the first occurrence of an anchor cannot be completed, no later one can.
 */

/** Returns the captures, or null when the text does not match. */
export type AnchorMatcher = (text: string) => string[] | null;

/** Builds the matcher of an anchor pattern. */
export function compileAnchorPattern(pattern: string): AnchorMatcher {
  const parts = pattern.split('*');
  const anchors = parts.map((p) => p.toLowerCase());
  const hasLetters = parts.some((p) => p.toLowerCase() !== p.toUpperCase());
  const leading = parts[0] === '';
  const captures = parts.length - 1;
  const trailingGreedy = captures > 0 && parts[parts.length - 1] === '';
  return (text) => {
    let hay = text;
    if (hasLetters) {
      hay = text.toLowerCase();
      // Lower-casing may change lengths for a few characters (e.g. İ); fall back to exact case.
      if (hay.length !== text.length) hay = text;
    }
    let pos: number;
    if (leading) pos = 0;
    else {
      const at = hay.indexOf(anchors[0] as string);
      if (at < 0) return null;
      pos = at + (anchors[0] as string).length;
    }
    const out: string[] = new Array<string>(captures);
    for (let i = 1; i <= captures; i++) {
      if (i === captures && trailingGreedy) {
        out[i - 1] = text.slice(pos);
        return out;
      }
      const anchor = anchors[i] as string;
      const at = hay.indexOf(anchor, pos);
      if (at < 0) return null;
      out[i - 1] = text.slice(pos, at);
      pos = at + anchor.length;
    }
    return out;
  };
}

/** Number of captures (`*`) in a pattern. */
export function countStars(pattern: string): number {
  return pattern.split('*').length - 1;
}
