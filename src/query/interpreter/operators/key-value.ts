/**
 * Key/value extraction for `kv` / `keyvalue`. Inference finds `key=value`, `key: value` and
 * `key->value` pairs (key: word characters, dots and dashes; value: a double-quoted string or a
 * run up to whitespace, `,` or `;`). For duplicate keys the last one wins. Names without `as`
 * replace every character outside `[A-Za-z0-9_]` with `_`.
 */
import { escapeRegExp } from '../regex.js';

const VALUE = String.raw`"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)'|([^\s,;]*)`;

/** All pairs in the text, left to right (last duplicate wins), at most `limit`. */
export function inferPairs(text: string, delimiter: string | undefined, limit = 100): Map<string, string> {
  const sep = delimiter === undefined ? String.raw`\s*(?:=|:|->)\s*` : String.raw`\s*${escapeRegExp(delimiter)}\s*`;
  const re = new RegExp(String.raw`([A-Za-z0-9_][\w.\-]*)${sep}(?:${VALUE})`, 'g');
  const out = new Map<string, string>();
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    if (m[0].length === 0) {
      re.lastIndex++;
      continue;
    }
    const key = m[1] as string;
    const value = m[2] ?? m[3] ?? m[4] ?? '';
    if (!out.has(key) && out.size >= limit) break;
    out.delete(key);
    out.set(key, value);
  }
  return out;
}

/** The value of one named key (inference mode with listed keys; keys match case-sensitively). */
export function findKey(text: string, key: string, delimiter: string | undefined): string | undefined {
  const sep = delimiter === undefined ? String.raw`\s*(?:=|:|->)\s*` : String.raw`\s*${escapeRegExp(delimiter)}\s*`;
  const re = new RegExp(String.raw`(?<![\w.\-])${escapeRegExp(key)}${sep}(?:${VALUE})`, 'g');
  let found: string | undefined;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    found = m[1] ?? m[2] ?? m[3] ?? '';
    if (m[0].length === 0) re.lastIndex++;
  }
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
export function regexPairs(text: string, regex: RegExp, keys: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  const global = new RegExp(regex.source, regex.flags.includes('g') ? regex.flags : regex.flags + 'g');
  const probe = global.exec(text);
  global.lastIndex = 0;
  const groups = probe === null ? 0 : probe.length - 1;
  if (groups >= 2) {
    for (let m = global.exec(text); m !== null; m = global.exec(text)) {
      if (m[0].length === 0) global.lastIndex++;
      const k = (m[1] ?? '').trim();
      if (keys.length === 0 || keys.includes(k)) out.set(k, m[2] ?? '');
    }
    return out;
  }
  for (const k of keys) {
    const at = text.indexOf(k);
    if (at < 0) continue;
    global.lastIndex = at + k.length;
    const m = global.exec(text);
    if (m !== null) out.set(k, m[1] ?? m[0]);
  }
  return out;
}
