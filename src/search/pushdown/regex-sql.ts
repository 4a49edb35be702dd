/**
 * Regexes of `parse regex` in RE2, only for the subset where JavaScript (what the interpreter runs,
 * without the `u` and `i` flags) and RE2 provably agree on what matches and what each group captures.
 * Anything outside it (lookaround, backreferences, inline flags, Unicode classes, alternation or
 * quantifiers around a named group, non-BMP characters …) is not pushed.
 */
import { JS_SPACE } from './fields.js';

/** A translated pattern: RE2 source and the 1-based RE2 group index of each named group. */
export interface Re2Pattern {
  source: string;
  groups: Map<string, number>;
}

// JavaScript's `.` (no `s` flag) excludes these line terminators; RE2's excludes only \n.
const JS_DOT = '[^\\n\\r\\x{2028}\\x{2029}]';

/** Translates a JS regex source (as toJsRegex would accept it) to RE2, or undefined. */
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
      if (/[dDwW]/.test(n) || (!inClass && /[bB]/.test(n))) out += `\\${n}`;
      else if (n === 's') out += inClass ? JS_SPACE : `[${JS_SPACE}]`;
      else if (n === 'S' && !inClass) out += `[^${JS_SPACE}]`;
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
      case '.':
        out += JS_DOT;
        break;
      case '+':
      case '*':
      case '?':
        // A possessive quantifier (`a++`) is JS-invalid in the interpreter only after toJsRegex's
        // rewriting; keep it out.
        if (source[i + 1] === '+') return undefined;
        out += c;
        break;
      default:
        if (/[A-Za-z0-9 ^${},]/.test(c)) out += c;
        else if (/[!-/:-@[-`~]/.test(c)) out += `\\${c}`;
        else out += `\\x{${c.charCodeAt(0).toString(16)}}`;
    }
  }
  if (inClass || depth !== 0 || groups.size === 0) return undefined;
  return { source: out, groups };
}
