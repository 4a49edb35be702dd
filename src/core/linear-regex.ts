/**
 * Regular expressions a user wrote (search, live tail, processing rules, multiline boundaries,
 * collector configuration), matched in time linear in the text: RE2 semantics through re2js, a
 * pure JavaScript port of RE2. JavaScript's RegExp backtracks, and one pattern such as `(a+)+b`
 * over a 28-byte line held the whole server for 18 s. RE2 is also what ClickHouse runs for the half
 * of a search pushed into SQL, so both halves of a search accept the same patterns and agree on
 * what they match. This module is the only one that imports re2js (lint keeps it so).
 *
 * Syntax is RE2's (what Sumo Logic documents for `parse regex`): `(?<name>…)` and `(?P<name>…)`
 * groups, inline flags `(?i)` `(?s)` `(?m)` scoped as written, `\A` `\z`. No backreferences and no
 * lookaround, which cannot run in linear time. From Java, possessive quantifiers (`a++`) and atomic
 * groups (`(?>…)`) are read as their plain forms, which can only match more, never fewer, and `\Z`
 * as the end of the text.
 */
import { RE2JS } from 're2js';

export interface LinearRegexOptions {
  ignoreCase?: boolean;
  /** `^` and `$` at line breaks too */
  multiline?: boolean;
  /** `.` matches line breaks too */
  dotAll?: boolean;
}

/** One match: the whole match is group 0; an unmatched group is undefined. */
export interface LinearMatch {
  index: number;
  end: number;
  /** groups[0] is the whole match */
  groups: (string | undefined)[];
  /** named groups by name */
  named: Record<string, string | undefined>;
  /** [start, end) of each group, or undefined when it did not take part */
  spans: ([number, number] | undefined)[];
}

export type CompileResult = { ok: true; regex: LinearRegex } | { ok: false; message: string };

/** The Java spellings RE2 lacks, rewritten to forms RE2 has (see the module comment). */
function fromJavaSyntax(source: string): string {
  let out = '';
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const c = source[i]!;
    if (c === '\\') {
      const next = source[i + 1];
      out += next === 'Z' && !inClass ? '\\z' : c + (next ?? '');
      i++;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      out += c;
      continue;
    }
    if (c === '[') {
      inClass = true;
      out += c;
      // A `]` right after `[` or `[^` is a literal member.
      if (source[i + 1] === '^') out += source[++i];
      if (source[i + 1] === ']') out += source[++i];
      continue;
    }
    if (c === '(' && source[i + 1] === '?' && source[i + 2] === '>') {
      out += '(?:';
      i += 2;
      continue;
    }
    // A possessive quantifier: `+` after `*`, `+`, `?` or `}`.
    if (c === '+' && (out.endsWith('*') || out.endsWith('+') || out.endsWith('?') || out.endsWith('}')) && !out.endsWith('\\*') && !out.endsWith('\\+') && !out.endsWith('\\?') && !out.endsWith('\\}')) {
      continue;
    }
    out += c;
  }
  return out;
}

function flagsOf(options: LinearRegexOptions): number {
  return (options.ignoreCase ? RE2JS.CASE_INSENSITIVE : 0) | (options.multiline ? RE2JS.MULTILINE : 0) | (options.dotAll ? RE2JS.DOTALL : 0);
}

/** Compiles a user's pattern; a pattern RE2 refuses is a message for the user, never a throw. */
export function compileLinearRegex(source: string, options: LinearRegexOptions = {}): CompileResult {
  try {
    return { ok: true, regex: new LinearRegex(RE2JS.compile(fromJavaSyntax(source), flagsOf(options)), source) };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { ok: false, message: message.replace(/^error parsing regexp: /, '') };
  }
}

/** Quotes text so it matches literally inside a pattern. */
export function quoteLinear(text: string): string {
  return RE2JS.quote(text);
}

/** A compiled pattern. Stateless: safe to share and to use from several places at once. */
export class LinearRegex {
  private readonly names: [string, number][];
  private readonly count: number;

  constructor(
    private readonly re: RE2JS,
    /** the pattern as the user wrote it */
    readonly source: string,
  ) {
    this.names = Object.entries(re.namedGroups());
    this.count = re.groupCount();
  }

  /** Capturing groups in the pattern. */
  get groupCount(): number {
    return this.count;
  }

  /** Names of the named groups, in the order they appear. */
  get groupNames(): string[] {
    return [...this.names].sort((a, b) => a[1] - b[1]).map(([name]) => name);
  }

  /** True when the pattern matches somewhere in the text (the engine's fastest path). */
  test(text: string): boolean {
    return this.re.test(text);
  }

  /** True when the pattern matches the whole text. */
  testWhole(text: string): boolean {
    return this.re.testExact(text);
  }

  /** The first match starting at or after `from`, or null. */
  exec(text: string, from = 0): LinearMatch | null {
    // The automaton answers "no match" without tracking groups; most texts end there.
    if (from === 0 && !this.re.test(text)) return null;
    const m = this.re.matcher(text);
    if (!m.find(from)) return null;
    const groups: (string | undefined)[] = [];
    const spans: ([number, number] | undefined)[] = [];
    for (let g = 0; g <= this.count; g++) {
      const start = m.start(g);
      if (start < 0) {
        groups.push(undefined);
        spans.push(undefined);
      } else {
        const end = m.end(g);
        groups.push(text.slice(start, end));
        spans.push([start, end]);
      }
    }
    const named: Record<string, string | undefined> = {};
    for (const [name, index] of this.names) named[name] = groups[index];
    return { index: spans[0]![0], end: spans[0]![1], groups, named, spans };
  }

  /** Every match, left to right, not overlapping; after an empty match the search moves on one character. */
  *matchAll(text: string): Generator<LinearMatch> {
    let from = 0;
    while (from <= text.length) {
      const m = this.exec(text, from);
      if (m === null) return;
      yield m;
      from = m.end > m.index ? m.end : m.end + 1;
    }
  }

  /** Replaces every match (or the first) with what `replacer` returns for it. */
  replace(text: string, replacer: (match: LinearMatch) => string, all = true): string {
    let out = '';
    let last = 0;
    for (const m of this.matchAll(text)) {
      out += text.slice(last, m.index) + replacer(m);
      last = m.end;
      if (!all) break;
    }
    return out + text.slice(last);
  }

  /**
   * Replaces matches with a template: `$1`…`$99` and `$<name>` insert groups, `$&` or `$0` the
   * match, `$$` a dollar (an unknown group inserts nothing).
   */
  replaceTemplate(text: string, template: string, all = true): string {
    const byName = new Map(this.names);
    return this.replace(
      text,
      (m) =>
        template.replace(/\$(\$|&|\d{1,2}|<([A-Za-z_][A-Za-z0-9_]*)>)/g, (whole, token: string, name: string | undefined) => {
          if (token === '$') return '$';
          if (token === '&') return m.groups[0] ?? '';
          if (name !== undefined) {
            const index = byName.get(name);
            return index === undefined ? '' : (m.groups[index] ?? '');
          }
          let n = Number(token);
          // `$12` with fewer than 12 groups is group 1 followed by "2".
          if (n > this.count && token.length === 2) {
            n = Number(token[0]);
            return n <= this.count ? (m.groups[n] ?? '') + token[1]! : whole;
          }
          return n <= this.count ? (m.groups[n] ?? '') : whole;
        }),
      all,
    );
  }
}
