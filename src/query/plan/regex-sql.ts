/**
 * Regexes of `parse regex` for ClickHouse, only for the subset where the interpreter (RE2 semantics,
 * core/linear-regex.ts) and ClickHouse's RE2 provably agree on what matches and what each group
 * captures. Both are RE2, so the syntax carries over; what differs is the extraction around it: a
 * group that took no part is undefined in the interpreter and '' from regexpExtract. So alternation,
 * and quantifiers or nesting around a named group, are not pushed; neither are inline flags, Unicode
 * classes, non-BMP characters and escapes whose spelling an older RE2 might read differently.
 */

/** A translated pattern: RE2 source and the 1-based RE2 group index of each named group. */
export interface Re2Pattern {
  source: string;
  groups: Map<string, number>;
}

/** Translates a user's regex (as the interpreter reads it) to ClickHouse's RE2, or undefined. */
export function translateRegex(source: string): Re2Pattern | undefined {
  // No non-BMP characters (JS matches code units, RE2 code points) and no alternation at all
  // (a named group in an untaken branch is undefined in JS but '' from regexpExtract).
  if (/[\uD800-\uDFFF]/.test(source) || source.includes('|')) return undefined;
  let out = '';
  let depth = 0;
  let group = 0;
  let inClass = false;
  const groups = new Map<string, number>();
  // Named groups must sit at the top level and carry no quantifier (a skipped group is undefined
  // in JS and '' in RE2; a repeated one could differ in what it keeps).
  const namedOpen: number[] = [];
  let justClosedNamed = false;
  for (let i = 0; i < source.length; i++) {
    const c = source[i] as string;
    const wasClosedNamed = justClosedNamed;
    justClosedNamed = false;
    if (c === '\\') {
      const n = source[i + 1];
      if (n === undefined) return undefined;
      i++;
      if (/[dDwWsS]/.test(n) || (!inClass && /[bB]/.test(n))) out += `\\${n}`;
      else if (/[tnrfv]/.test(n)) out += n === 'v' ? '\\x{0B}' : `\\${n}`;
      else if (/[!-/:-@[-`{-~]/.test(n)) out += `\\${n}`;
      else return undefined; // \p, \k, \1, \u, \c, \0, \x … : not provably equal
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      if (c === '[') return undefined; // RE2 would read [: … :] classes
      out += /[ -~]/.test(c) ? c : `\\x{${c.charCodeAt(0).toString(16)}}`;
      continue;
    }
    if (wasClosedNamed && /[*+?{]/.test(c)) return undefined;
    switch (c) {
      case '[':
        inClass = true;
        out += c;
        if (source[i + 1] === ']' || (source[i + 1] === '^' && source[i + 2] === ']')) return undefined;
        break;
      case '(': {
        if (source[i + 1] === '?') {
          const named = /^\(\?<([A-Za-z_][A-Za-z0-9_]*)>/.exec(source.slice(i));
          if (named !== null) {
            if (depth !== 0) return undefined;
            group++;
            groups.set(named[1] as string, group);
            out += `(?P<${named[1] as string}>`;
            i += named[0].length - 1;
            namedOpen.push(depth);
            depth++;
            break;
          }
          if (source[i + 2] === ':') {
            out += '(?:';
            i += 2;
            depth++;
            namedOpen.push(-1);
            break;
          }
          return undefined; // lookaround, flags, atomic groups
        }
        group++;
        out += '(';
        depth++;
        namedOpen.push(-1);
        break;
      }
      case ')': {
        const opened = namedOpen.pop();
        if (opened === undefined) return undefined;
        depth--;
        justClosedNamed = opened === 0;
        out += ')';
        break;
      }
      case '+':
      case '*':
      case '?':
        // A possessive quantifier (`a++`) is read as a plain one by the interpreter; RE2 refuses it.
        if (source[i + 1] === '+') return undefined;
        out += c;
        break;
      default:
        if (/[A-Za-z0-9 ^${},.]/.test(c)) out += c;
        else if (/[!-/:-@[-`~]/.test(c)) out += `\\${c}`;
        else out += `\\x{${c.charCodeAt(0).toString(16)}}`;
    }
  }
  if (inClass || depth !== 0 || groups.size === 0) return undefined;
  return { source: out, groups };
}
