/**
 * The query language's regexes and `*` globs, all matched in linear time (core/linear-regex.ts:
 * RE2 semantics, the same engine ClickHouse runs for the pushed-down half of a search).
 */
import { compileLinearRegex, quoteLinear, type CompileResult, type LinearRegex } from '../../core/linear-regex.js';

/** Escapes text for use inside a pattern of this program's own (JavaScript RegExp syntax). */
export function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/**
 * JavaScript's `\s` (what the interpreter's trimming, numeric test and phrase spacing use) as an
 * RE2 class body; RE2's own `\s` is only [\t\n\f\r ].
 */
export const JS_SPACE_CLASS = '\\t\\n\\x{0B}\\f\\r \\x{A0}\\x{1680}\\x{2000}-\\x{200A}\\x{2028}\\x{2029}\\x{202F}\\x{205F}\\x{3000}\\x{FEFF}';

/** A user's regex (Sumo/RE2 syntax) with the flags of a regex literal (`i`, `m`, `s`; others are ignored). */
export function toLinearRegex(source: string, flags = ''): CompileResult {
  return compileLinearRegex(source, { ignoreCase: flags.includes('i'), multiline: flags.includes('m'), dotAll: flags.includes('s') });
}

/** Whole-string glob (`*` any run, `?` one character; either can be turned off) as a linear regex. */
export function globToRegex(glob: string, options: { ignoreCase?: boolean; star?: boolean; question?: boolean } = {}): LinearRegex {
  const star = options.star ?? true;
  const question = options.question ?? true;
  let src = '';
  let literal = '';
  for (const c of glob) {
    if (!(c === '*' && star) && !(c === '?' && question)) {
      literal += c;
      continue;
    }
    if (literal !== '') src += quoteLinear(literal);
    literal = '';
    src += c === '*' ? '(?s:.*)' : '(?s:.)';
  }
  if (literal !== '') src += quoteLinear(literal);
  const compiled = compileLinearRegex(`^${src}$`, { ignoreCase: options.ignoreCase ?? false });
  // Quoted literals and the two wildcards always compile.
  if (!compiled.ok) throw new Error(`glob ${JSON.stringify(glob)} did not compile: ${compiled.message}`);
  return compiled.regex;
}

/** Globs computed per row (`matches` with a field as the pattern) are compiled once each. */
const globCache = new Map<string, LinearRegex>();
const GLOB_CACHE_MAX = 256;

/** globToRegex, remembering the most recent globs. */
export function cachedGlob(glob: string): LinearRegex {
  let regex = globCache.get(glob);
  if (regex === undefined) {
    if (globCache.size >= GLOB_CACHE_MAX) globCache.clear();
    regex = globToRegex(glob);
    globCache.set(glob, regex);
  }
  return regex;
}
