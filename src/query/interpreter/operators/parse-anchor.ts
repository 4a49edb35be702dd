/**
 * `parse "start*stop"` as a RegExp: literal anchors match case-insensitively (inferred from
 * Sumo's `user=*:` example matching `User=`), each `*` captures lazily up to the first
 * occurrence of the next anchor, and may span newlines. A pattern that starts with `*` captures
 * from the start of the text; one that ends with `*` captures to the end of the text (a lazy
 * capture with nothing after it would always be empty).
 */
import { escapeRegExp } from '../regex.js';

/** Builds the matcher of an anchor pattern. */
export function anchorPatternRegex(pattern: string): RegExp {
  const parts = pattern.split('*');
  let src = pattern.startsWith('*') ? '^' : '';
  parts.forEach((lit, i) => {
    src += escapeRegExp(lit);
    if (i < parts.length - 1) src += i === parts.length - 2 && parts[parts.length - 1] === '' ? '([\\s\\S]*)' : '([\\s\\S]*?)';
  });
  return new RegExp(src, 'i');
}

/** Number of captures (`*`) in a pattern. */
export function countStars(pattern: string): number {
  return pattern.split('*').length - 1;
}
