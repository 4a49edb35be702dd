/**
 * Key/value extraction for `kv` / `keyvalue`. Inference finds `key=value`, `key: value` and
 * `key->value` pairs (key: word characters, dots and dashes; value: a double-quoted string or a
 * run up to whitespace, `,` or `;`). For duplicate keys the last one wins. Names without `as`
 * replace every character outside `[A-Za-z0-9_]` with `_`.
 */
import { compileLinearRegex, quoteLinear, type LinearRegex } from '../../../core/linear-regex.js';

const VALUE = String.raw`"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)'|([^\s,;]*)`;

/** Patterns by delimiter (and key): compiled once, not per row. */
const patterns = new Map<string, LinearRegex>();

function pattern(key: string, source: () => string): LinearRegex {
  let regex = patterns.get(key);
  if (regex === undefined) {
    const compiled = compileLinearRegex(source());
    // Built from quoted user text and fixed parts: it always compiles.
    if (!compiled.ok) throw new Error(`key/value pattern did not compile: ${compiled.message}`);
    if (patterns.size >= 256) patterns.clear();
    regex = compiled.regex;
    patterns.set(key, regex);
  }
  return regex;
}

const separator = (delimiter: string | undefined): string =>
  delimiter === undefined ? String.raw`\s*(?:=|:|->)\s*` : String.raw`\s*${quoteLinear(delimiter)}\s*`;

/** All pairs in the text, left to right (last duplicate wins), at most `limit`. */
export function inferPairs(text: string, delimiter: string | undefined, limit = 100): Map<string, string> {
  const re = pattern(`infer\0${delimiter ?? ''}`, () => String.raw`([A-Za-z0-9_][\w.\-]*)${separator(delimiter)}(?:${VALUE})`);
  const out = new Map<string, string>();
  for (const m of re.matchAll(text)) {
    if (m.end === m.index) continue;
    const key = m.groups[1] as string;
    const value = m.groups[2] ?? m.groups[3] ?? m.groups[4] ?? '';
    if (!out.has(key) && out.size >= limit) break;
    out.delete(key);
    out.set(key, value);
  }
  return out;
}

/** The value of one named key (inference mode with listed keys; keys match case-sensitively). */
export function findKey(text: string, key: string, delimiter: string | undefined): string | undefined {
  // The key starts the text or follows a character that cannot be part of a key.
  const re = pattern(`key\0${delimiter ?? ''}\0${key}`, () => String.raw`(?:^|[^\w.\-])${quoteLinear(key)}${separator(delimiter)}(?:${VALUE})`);
  let found: string | undefined;
  for (const m of re.matchAll(text)) found = m.groups[1] ?? m.groups[2] ?? m.groups[3] ?? '';
  return found;
}

/** Field name for a key when no alias is given. */
export function keyToFieldName(key: string): string {
  return key.replace(/[^A-Za-z0-9_]/g, '_');
}

/**
 * `kv regex`: with two capture groups the regex yields (key, value) pairs; with one group the key
 * text is located first and the value is the nearest match after it.
 */
export function regexPairs(text: string, regex: LinearRegex, keys: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  if (regex.groupCount >= 2) {
    for (const m of regex.matchAll(text)) {
      const k = (m.groups[1] ?? '').trim();
      if (keys.length === 0 || keys.includes(k)) out.set(k, m.groups[2] ?? '');
    }
    return out;
  }
  for (const k of keys) {
    const at = text.indexOf(k);
    if (at < 0) continue;
    const m = regex.exec(text, at + k.length);
    if (m !== null) out.set(k, m.groups[1] ?? m.groups[0] ?? '');
  }
  return out;
}
