/** String functions of Sumo Logic (concat, substring, replace, trim, …). */
import type { LinearRegex } from '../../../core/linear-regex.js';
import { toLinearRegex } from '../regex.js';
import { toNumber, toText, type Value } from '../values.js';
import { arg, defineFunction, type FunctionDef } from './types.js';

function text(v: Value): string | null {
  return toText(v);
}

function int(v: Value): number | null {
  const n = toNumber(v);
  return n === null ? null : Math.trunc(n);
}

/** printf-like formatting for format(): %s %d %f %.Nf %x %% ; unknown specs print verbatim. */
function sprintf(fmt: string, values: readonly Value[]): string {
  let i = 0;
  return fmt.replace(/%([-0+ ]*)([1-9]\d*)?(?:\.(\d+))?([sdfxXeE%])/g, (whole, flags: string, width?: string, prec?: string, conv?: string) => {
    if (conv === '%') return '%';
    const v = values[i++] ?? null;
    let out: string;
    const n = toNumber(v);
    switch (conv) {
      case 'd':
        out = n === null ? (text(v) ?? 'null') : String(Math.trunc(n));
        break;
      case 'f':
        out = n === null ? (text(v) ?? 'null') : n.toFixed(prec === undefined ? 6 : Number(prec));
        break;
      case 'e':
      case 'E':
        out = n === null ? (text(v) ?? 'null') : n.toExponential(prec === undefined ? 6 : Number(prec));
        if (conv === 'E') out = out.toUpperCase();
        break;
      case 'x':
      case 'X':
        out = n === null ? (text(v) ?? 'null') : Math.trunc(n).toString(16);
        if (conv === 'X') out = out.toUpperCase();
        break;
      default:
        out = text(v) ?? 'null';
        if (prec !== undefined) out = out.slice(0, Number(prec));
    }
    if (width !== undefined && out.length < Number(width)) {
      const padChar = flags.includes('0') && conv !== 's' ? '0' : ' ';
      out = flags.includes('-') ? out.padEnd(Number(width)) : out.padStart(Number(width), padChar);
    }
    return out ?? whole;
  });
}

/** Regex values travel as strings of the form `/…/flags` (the evaluator builds them from regex literals). */
export function asRegex(v: Value): LinearRegex | null {
  if (typeof v !== 'string' || !v.startsWith('/')) return null;
  const close = v.lastIndexOf('/');
  const flags = v.slice(close + 1);
  if (close === 0 || !/^[a-z]*$/.test(flags)) return null;
  const key = v;
  let regex = regexCache.get(key);
  if (regex === undefined) {
    const r = toLinearRegex(v.slice(1, close), flags);
    if (!r.ok) return null;
    if (regexCache.size >= 256) regexCache.clear();
    regex = r.regex;
    regexCache.set(key, regex);
  }
  return regex;
}

/** Regex values are strings, so each is compiled once, not per row. */
const regexCache = new Map<string, LinearRegex>();

export const STRING_FUNCTIONS: FunctionDef[] = [
  // null counts as "" (Sumo's concat doc)
  defineFunction('concat', 1, Infinity, (args) => args.map((a) => text(a) ?? '').join('')),
  // 0-based, end exclusive; out-of-range start or end < start → null (Sumo reports an error)
  defineFunction('substring', 2, 3, (args) => {
    const s = text(arg(args, 0));
    const start = int(arg(args, 1));
    if (s === null || start === null) return null;
    const endArg = args.length > 2 ? int(arg(args, 2)) : s.length;
    if (endArg === null || start < 0 || endArg < start) return null;
    if (start > s.length) return null;
    return s.slice(start, Math.min(endArg, s.length));
  }),
  defineFunction('replace', 3, 3, (args) => {
    const s = text(arg(args, 0));
    const repl = text(arg(args, 2));
    if (s === null || repl === null) return s;
    const pattern = arg(args, 1);
    const re = asRegex(pattern);
    // Regex form: $1 … group references, every match replaced.
    if (re !== null) return re.replaceTemplate(s, repl);
    const find = text(pattern);
    if (find === null || find === '') return s;
    return s.split(find).join(repl);
  }),
  defineFunction('trim', 1, 1, (args) => text(arg(args, 0))?.trim() ?? null),
  defineFunction('toLowerCase', 1, 1, (args) => text(arg(args, 0))?.toLowerCase() ?? null),
  defineFunction('toUpperCase', 1, 1, (args) => text(arg(args, 0))?.toUpperCase() ?? null),
  // length(null) = 0 (Sumo doc)
  defineFunction('length', 1, 1, (args) => (text(arg(args, 0)) ?? '').length),
  defineFunction('contains', 2, 2, (args) => {
    const s = text(arg(args, 0));
    const sub = text(arg(args, 1));
    return s === null || sub === null ? false : s.includes(sub);
  }),
  defineFunction('startsWith', 2, 2, (args) => {
    const s = text(arg(args, 0));
    const p = text(arg(args, 1));
    return s === null || p === null ? false : s.startsWith(p);
  }),
  defineFunction('endsWith', 2, 2, (args) => {
    const s = text(arg(args, 0));
    const p = text(arg(args, 1));
    return s === null || p === null ? false : s.endsWith(p);
  }),
  // -1 when absent (Java String.indexOf); null input → -1
  defineFunction('indexOf', 2, 2, (args) => {
    const s = text(arg(args, 0));
    const sub = text(arg(args, 1));
    return s === null || sub === null ? -1 : s.indexOf(sub);
  }),
  defineFunction('urlDecode', 1, 1, (args) => {
    const s = text(arg(args, 0));
    if (s === null) return null;
    try {
      // Java URLDecoder: '+' is a space.
      return decodeURIComponent(s.replace(/\+/g, ' '));
    } catch {
      return null;
    }
  }),
  defineFunction('urlEncode', 1, 1, (args) => {
    const s = text(arg(args, 0));
    if (s === null) return null;
    // Java URLEncoder: spaces as '+', and encodes ! ' ( ) ~ too.
    return encodeURIComponent(s)
      .replace(/%20/g, '+')
      .replace(/[!'()~]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
  }),
  defineFunction('base64Decode', 1, 2, (args) => {
    const s = text(arg(args, 0));
    if (s === null) return null;
    if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(s.trim())) return null;
    return Buffer.from(s.trim(), 'base64').toString('utf8');
  }),
  defineFunction('base64Encode', 1, 2, (args) => {
    const s = text(arg(args, 0));
    return s === null ? null : Buffer.from(s, 'utf8').toString('base64');
  }),
  defineFunction('format', 1, Infinity, (args) => {
    const f = text(arg(args, 0));
    return f === null ? null : sprintf(f, args.slice(1));
  }),
  // parseHex("ff") = 255; "0x" prefix allowed
  defineFunction('parseHex', 1, 2, (args) => {
    const s = text(arg(args, 0))?.trim().replace(/^0x/i, '');
    if (s === undefined || s === null || !/^[0-9a-f]+$/i.test(s)) return null;
    return parseInt(s, 16);
  }),
  defineFunction('decToHex', 1, 1, (args) => {
    const n = int(arg(args, 0));
    return n === null ? null : (n >>> 0 === n ? n.toString(16) : BigInt.asUintN(64, BigInt(n)).toString(16));
  }),
  defineFunction('hexToDec', 1, 1, (args) => {
    const s = text(arg(args, 0))?.trim().replace(/^0x/i, '');
    if (s === undefined || s === null || !/^[0-9a-f]+$/i.test(s)) return null;
    return parseInt(s, 16);
  }),
  defineFunction('escapeRegex', 1, 1, (args) => text(arg(args, 0))?.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&') ?? null),
];
