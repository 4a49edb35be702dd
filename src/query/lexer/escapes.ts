/** Decodes a double-quoted string literal body: `\"`, `\\`, `\n`, `\t`, `\r`; other `\x` stay as written. */
export function unescapeString(raw: string): string {
  if (!raw.includes('\\')) return raw;
  let out = '';
  for (let i = 0; i < raw.length; i++) {
    const ch = raw[i]!;
    if (ch !== '\\' || i + 1 >= raw.length) {
      out += ch;
      continue;
    }
    const next = raw[i + 1]!;
    i++;
    switch (next) {
      case '"':
        out += '"';
        break;
      case '\\':
        out += '\\';
        break;
      case 'n':
        out += '\n';
        break;
      case 't':
        out += '\t';
        break;
      case 'r':
        out += '\r';
        break;
      default:
        out += '\\' + next;
    }
  }
  return out;
}

/**
 * Decodes a regex written in a string: `\"` becomes `"` and `\\` becomes `\` (so `"\\|"` is the regex
 * `\|`); every other backslash sequence belongs to the regex (`\d`, `\s`, `\n`).
 */
export function unescapeRegexString(raw: string): string {
  return raw.replace(/\\(["\\])/g, '$1');
}

/** Encodes text as the body of a double-quoted literal (inverse of `unescapeString` for `"` and `\`). */
export function escapeString(value: string): string {
  return value
    .replace(/\\/g, '\\\\')
    .replace(/"/g, '\\"')
    .replace(/\n/g, '\\n')
    .replace(/\t/g, '\\t')
    .replace(/\r/g, '\\r');
}
