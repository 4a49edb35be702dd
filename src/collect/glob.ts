/**
 * File globs for `files:` entries: `*` and `?` within one path segment, `[abc]` / `[a-z]` / `[!x]`
 * classes, and `**` for any number of directories. Only regular files match; unreadable
 * directories are skipped (a glob is re-expanded every scan, so they are picked up once readable).
 */
import { compileLinearRegex, quoteLinear } from '../core/linear-regex.js';
import { readdir, stat } from 'node:fs/promises';
import { join, sep } from 'node:path';

const GLOB_CHARS = /[*?[]/;

/** True when the pattern has glob characters (else it names one file). */
export function isGlob(pattern: string): boolean {
  return GLOB_CHARS.test(pattern);
}

/** Compiles one path segment's glob into an anchored (linear-time) regex. */
export function segmentRegex(segment: string): { test(name: string): boolean } {
  let out = '';
  for (let i = 0; i < segment.length; i++) {
    const c = segment[i]!;
    if (c === '*') out += '[^/]*';
    else if (c === '?') out += '[^/]';
    else if (c === '[') {
      const close = segment.indexOf(']', i + 2);
      if (close === -1) {
        out += '\\[';
        continue;
      }
      let body = segment.slice(i + 1, close);
      if (body.startsWith('!')) body = `^${body.slice(1)}`;
      out += `[${body.replace(/[\\\]]/g, '\\$&')}]`;
      i = close;
    } else out += quoteLinear(c);
  }
  const compiled = compileLinearRegex(`^${out}$`);
  // An unbalanced class is taken literally above; anything else RE2 refuses matches nothing.
  return compiled.ok ? compiled.regex : { test: () => false };
}

/** True when an absolute path matches an absolute glob (the same rules as expandGlob). */
export function matchesGlob(pattern: string, path: string): boolean {
  const want = pattern.split(sep);
  const got = path.split(sep);
  const match = (i: number, j: number): boolean => {
    if (i === want.length) return j === got.length;
    const head = want[i]!;
    if (head === '**') {
      for (let k = j; k <= got.length; k++) if (match(i + 1, k)) return true;
      return false;
    }
    if (j === got.length) return false;
    const ok = isGlob(head) ? segmentRegex(head).test(got[j]!) : head === got[j];
    return ok && match(i + 1, j + 1);
  };
  return match(0, 0);
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

async function listDir(dir: string): Promise<{ name: string; isDir: boolean }[]> {
  try {
    const entries = await readdir(dir, { withFileTypes: true });
    return entries.map((e) => ({ name: e.name, isDir: e.isDirectory() }));
  } catch {
    return [];
  }
}

/** Expands an absolute glob to the regular files it matches, sorted. */
export async function expandGlob(pattern: string): Promise<string[]> {
  if (!isGlob(pattern)) return (await isFile(pattern)) ? [pattern] : [];
  const segments = pattern.split(sep);
  const found = new Set<string>();
  const walk = async (dir: string, rest: string[]): Promise<void> => {
    if (rest.length === 0) return;
    const [head, ...tail] = rest as [string, ...string[]];
    if (head === '**') {
      await walk(dir, tail); // zero directories
      for (const entry of await listDir(dir)) {
        if (entry.isDir && !entry.name.startsWith('.')) await walk(join(dir, entry.name), rest);
      }
      return;
    }
    if (!isGlob(head)) {
      const next = join(dir, head);
      if (tail.length === 0) {
        if (await isFile(next)) found.add(next);
      } else await walk(next, tail);
      return;
    }
    const regex = segmentRegex(head);
    for (const entry of await listDir(dir)) {
      // As in shells, `*` does not match hidden files unless the pattern starts with a dot.
      if (entry.name.startsWith('.') && !head.startsWith('.')) continue;
      if (!regex.test(entry.name)) continue;
      const next = join(dir, entry.name);
      if (tail.length === 0) {
        if (await isFile(next)) found.add(next);
      } else if (entry.isDir) await walk(next, tail);
    }
  };
  const root = segments[0] === '' ? sep : segments[0]!;
  await walk(root, segments.slice(1));
  return [...found].sort();
}
