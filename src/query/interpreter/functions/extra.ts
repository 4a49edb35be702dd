/** Remaining catalog functions: aliases of casts, html/url helpers, epoch conversions. */
import { toNumber, toText } from '../values.js';
import { arg, defineFunction, type FunctionDef } from './types.js';

function cast(name: string, f: (n: number) => number): FunctionDef {
  return defineFunction(name, 1, 1, (args) => {
    const n = toNumber(arg(args, 0));
    return n === null ? null : f(n);
  });
}

const HTML: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export const EXTRA_FUNCTIONS: FunctionDef[] = [
  cast('number', (n) => n),
  cast('toNumber', (n) => n),
  cast('int', (n) => Math.trunc(n) | 0),
  cast('long', Math.trunc),
  // Epoch conversions to milliseconds (the unit Sumo's time functions take).
  cast('fromMillis', Math.trunc),
  cast('fromSeconds', (n) => Math.trunc(n * 1000)),
  cast('fromMicros', (n) => Math.trunc(n / 1000)),
  cast('fromNanos', (n) => Math.trunc(n / 1_000_000)),
  cast('toMillis', Math.trunc),
  defineFunction('escapeHtml', 1, 1, (args) => toText(arg(args, 0))?.replace(/[&<>"']/g, (c) => HTML[c] ?? c) ?? null),
  // toUrl(url[, text, …]): the UI renders a link; as a value we keep `[text](url)` (markdown); extra display options are ignored.
  defineFunction('toUrl', 1, 4, (args) => {
    const url = toText(arg(args, 0));
    if (url === null) return null;
    const text = toText(arg(args, 1));
    return text === null ? url : `[${text}](${url})`;
  }),
  defineFunction('hexToAscii', 1, 1, (args) => {
    const s = toText(arg(args, 0))?.replace(/^0x/i, '').replace(/\s/g, '');
    if (s === undefined || s === null || !/^([0-9a-f]{2})*$/i.test(s)) return null;
    return Buffer.from(s, 'hex').toString('latin1');
  }),
  // jsonArrayContains('["a","b"]', "a") → true; invalid JSON → null.
  defineFunction('jsonArrayContains', 2, 2, (args) => {
    const s = toText(arg(args, 0));
    const needle = arg(args, 1);
    if (s === null) return null;
    try {
      const arr = JSON.parse(s) as unknown;
      if (!Array.isArray(arr)) return null;
      const t = toText(needle);
      return arr.some((x: unknown) => (x === null ? needle === null : (typeof x === 'string' ? x : JSON.stringify(x)) === t));
    } catch {
      return null;
    }
  }),
];

