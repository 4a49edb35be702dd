/** Conversions of Sumo (Java/RE2) regexes and `*` globs into JavaScript RegExp. */

/** Escapes text for use inside a RegExp. */
export function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/**
 * Java/RE2 → JS: `(?P<n>` → `(?<n>`, leading inline flags `(?i)`, `(?s)`, `(?m)`, `(?x)` (unsupported
 * in Node 20 RegExp) become RegExp flags, `\A`/`\z`/`\Z` anchors become `^`/`$`, possessive
 * quantifiers and atomic groups become backtracking ones. Other Java-only syntax is left as is
 * (the RegExp constructor then rejects it and the query gets a diagnostic).
 */
export function toJsRegex(source: string, baseFlags = ''): { ok: true; regex: RegExp } | { ok: false; message: string } {
  let src = source.replace(/\(\?P<([A-Za-z_][A-Za-z0-9_]*)>/g, '(?<$1>');
  let flags = baseFlags;
  for (;;) {
    const m = /^\(\?([imsx]+)\)/.exec(src);
    if (m === null) break;
    for (const f of m[1] as string) if (f !== 'x' && !flags.includes(f)) flags += f;
    src = src.slice(m[0].length);
  }
  // Inline flags later in the pattern (`x(?i)y`, `(?i:…)`) are not supported by Node 20's RegExp;
  // we apply them to the whole pattern — an approximation (Java scopes them to the rest/group).
  src = src.replace(/\(\?([imsx]+)\)/g, (_m, f: string) => {
    for (const ch of f) if (ch !== 'x' && !flags.includes(ch)) flags += ch;
    return '';
  });
  src = src.replace(/\(\?([imsx]+):/g, (_m, f: string) => {
    for (const ch of f) if (ch !== 'x' && !flags.includes(ch)) flags += ch;
    return '(?:';
  });
  // Possessive quantifiers (`a++`, `\\d{1,3}+`) and atomic groups (`(?>…)`) become their
  // backtracking forms — an approximation that can only accept more matches, never fewer.
  src = src.replace(/(?<!\\)([*+?}])\+/g, '$1').replace(/\(\?>/g, '(?:');
  src = src.replace(/\\A/g, '^').replace(/\\[zZ]/g, '$');
  try {
    return { ok: true, regex: new RegExp(src, flags) };
  } catch (e) {
    return { ok: false, message: e instanceof Error ? e.message : String(e) };
  }
}

/** Names of the named groups of a regex source, in order. */
export function namedGroups(source: string): string[] {
  const out: string[] = [];
  const re = /\(\?P?<([A-Za-z_][A-Za-z0-9_]*)>/g;
  for (let m = re.exec(source); m !== null; m = re.exec(source)) out.push(m[1] as string);
  return out;
}

/** Whole-string glob (`*` any run, `?` one char) → RegExp. */
export function globToRegex(glob: string, flags = ''): RegExp {
  let src = '';
  for (const c of glob) src += c === '*' ? '[\\s\\S]*' : c === '?' ? '[\\s\\S]' : escapeRegExp(c);
  return new RegExp(`^${src}$`, flags);
}
