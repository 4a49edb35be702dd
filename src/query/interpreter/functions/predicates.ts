/** Type tests and casts: isNull, isEmpty, isBlank, isNumeric, num, toLong, IP helpers. */
import { isNumericValue, toNumber, toText } from '../values.js';
import { arg, defineFunction, type FunctionDef } from './types.js';
import { isIP } from 'node:net';

function ipv4ToNumber(s: string): number | null {
  if (isIP(s) !== 4) return null;
  return s.split('.').reduce((acc, part) => acc * 256 + Number(part), 0);
}

function isPrivateIp(s: string): boolean | null {
  const v = isIP(s);
  if (v === 4) {
    const n = ipv4ToNumber(s) as number;
    const inRange = (base: string, bits: number): boolean => {
      const b = ipv4ToNumber(base) as number;
      const size = 2 ** (32 - bits);
      return n >= b && n < b + size;
    };
    return inRange('10.0.0.0', 8) || inRange('172.16.0.0', 12) || inRange('192.168.0.0', 16);
  }
  if (v === 6) return /^f[cd]/i.test(s);
  return null;
}

/** Reads the CIDR prefix of an IPv4 address as a dotted quad (getCIDRPrefix). */
function cidrPrefix(ip: string, bits: number): string | null {
  const n = ipv4ToNumber(ip);
  if (n === null || bits < 0 || bits > 32) return null;
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  const p = (n & mask) >>> 0;
  return [24, 16, 8, 0].map((s) => (p >>> s) & 255).join('.');
}

export const PREDICATE_FUNCTIONS: FunctionDef[] = [
  defineFunction('isNull', 1, 1, (args) => arg(args, 0) === null),
  defineFunction('isEmpty', 1, 1, (args) => {
    const v = arg(args, 0);
    return v === null || v === '';
  }),
  defineFunction('isBlank', 1, 1, (args) => {
    const v = arg(args, 0);
    return v === null || (typeof v === 'string' && v.trim() === '');
  }),
  defineFunction('isNumeric', 1, 1, (args) => isNumericValue(arg(args, 0))),
  // num/toDouble: number or null (Sumo leaves a non-numeric value unparsed; we give null)
  defineFunction('num', 1, 1, (args) => toNumber(arg(args, 0))),
  defineFunction('toDouble', 1, 1, (args) => toNumber(arg(args, 0))),
  defineFunction('toLong', 1, 1, (args) => {
    const n = toNumber(arg(args, 0));
    return n === null ? null : Math.trunc(n);
  }),
  defineFunction('toInt', 1, 1, (args) => {
    const n = toNumber(arg(args, 0));
    return n === null ? null : Math.trunc(n) | 0;
  }),
  defineFunction('toString', 1, 1, (args) => toText(arg(args, 0))),
  defineFunction('isValidIP', 1, 1, (args) => isIP(toText(arg(args, 0)) ?? '') !== 0),
  defineFunction('isValidIPv4', 1, 1, (args) => isIP(toText(arg(args, 0)) ?? '') === 4),
  defineFunction('isValidIPv6', 1, 1, (args) => isIP(toText(arg(args, 0)) ?? '') === 6),
  defineFunction('isPrivateIP', 1, 1, (args) => isPrivateIp(toText(arg(args, 0)) ?? '') === true),
  defineFunction('isPublicIP', 1, 1, (args) => isPrivateIp(toText(arg(args, 0)) ?? '') === false),
  defineFunction('ipv4ToNumber', 1, 1, (args) => ipv4ToNumber(toText(arg(args, 0)) ?? '')),
  defineFunction('getCIDRPrefix', 2, 2, (args) => {
    const bits = toNumber(arg(args, 1));
    return bits === null ? null : cidrPrefix(toText(arg(args, 0)) ?? '', bits);
  }),
  defineFunction('compareCIDRPrefix', 3, 3, (args) => {
    const bits = toNumber(arg(args, 2));
    if (bits === null) return null;
    const a = cidrPrefix(toText(arg(args, 0)) ?? '', bits);
    const b = cidrPrefix(toText(arg(args, 1)) ?? '', bits);
    return a === null || b === null ? null : a === b;
  }),
  defineFunction('maskFromCIDR', 1, 1, (args) => {
    const bits = toNumber(arg(args, 0));
    return bits === null ? null : cidrPrefix('255.255.255.255', bits);
  }),
  // Luhn checksum test of the digits in the text (separators ignored).
  defineFunction('luhn', 1, 1, (args) => {
    const digits = (toText(arg(args, 0)) ?? '').replace(/[\s-]/g, '');
    if (!/^\d{2,}$/.test(digits)) return false;
    let sum = 0;
    for (let i = 0; i < digits.length; i++) {
      let d = Number(digits[digits.length - 1 - i]);
      if (i % 2 === 1) {
        d *= 2;
        if (d > 9) d -= 9;
      }
      sum += d;
    }
    return sum % 10 === 0;
  }),
];

