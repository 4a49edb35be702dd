/**
 * `quarry collect`'s configuration file (YAML), validated with one zod schema. Every error names
 * the key it is about (`files[1].multiline.boundary: …`) so a broken file is fixed in one look.
 */
import { trimEndOf } from '../core/text.js';
import { compileLinearRegex, type LinearRegex } from '../core/linear-regex.js';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import { z } from 'zod';
import { AppError, ErrorCode } from '../core/errors.js';

const FIELD_NAME = /^[A-Za-z][A-Za-z0-9_.-]{0,127}$/;
/** What the HTTP receiver accepts in a header value (no control characters). */
const HEADER_TEXT = /^[^\u0000-\u001f\u007f]*$/;

const positiveInt = z.number().int().positive();

const multilineSchema = z.union([
  z.literal(false),
  z.literal('off'),
  z
    .object({
      /** A line this regex matches in full starts an event (as a Quarry source's boundary regex). */
      boundary: z.string().min(1),
      /** A pending event is sent after this long without a next line. */
      timeoutMs: positiveInt.default(2000),
      /** An event longer than this is sent in pieces of this size (each piece its own message). */
      maxBytes: positiveInt.default(1024 * 1024),
    })
    .strict()
    .superRefine((value, ctx) => {
      const compiled = compileLinearRegex(value.boundary);
      if (!compiled.ok) ctx.addIssue({ code: 'custom', path: ['boundary'], message: `not a valid regex: ${compiled.message}` });
    }),
]);

const fileSchema = z
  .object({
    /** A file path or a glob (`*`, `?`, `[abc]`, `**`); relative paths are relative to the config file. */
    path: z.string().min(1),
    /** The HTTP source token for this file (default: server.token). */
    token: z.string().min(1).optional(),
    category: z.string().regex(HEADER_TEXT, 'must not contain control characters').optional(),
    host: z.string().regex(HEADER_TEXT, 'must not contain control characters').optional(),
    /** `_sourceName`; default: the file's path. */
    name: z.string().regex(HEADER_TEXT, 'must not contain control characters').optional(),
    fields: z
      .record(
        z.string().regex(FIELD_NAME, 'field names are letters, digits, _ . - and start with a letter'),
        z.union([z.string(), z.number(), z.boolean()]).transform(String),
      )
      .optional()
      .superRefine((fields, ctx) => {
        for (const [key, value] of Object.entries(fields ?? {})) {
          if (/[,=\u0000-\u001f]/.test(value)) ctx.addIssue({ code: 'custom', path: [key], message: 'must not contain , = or control characters' });
        }
      }),
    multiline: multilineSchema.default('off'),
    /** Where to start in a file found at startup that has no checkpoint; files that appear later are read from their start. */
    startAt: z.enum(['beginning', 'end']).default('beginning'),
  })
  .strict();

export const collectorConfigSchema = z
  .object({
    server: z
      .object({
        url: z.url().transform((u) => trimEndOf(u, '/')),
        token: z.string().min(1).optional(),
        /** A request without an answer after this long is retried. */
        timeoutMs: positiveInt.default(30_000),
      })
      .strict(),
    /** Checkpoints and the spool live here (relative: to the config file). */
    stateDir: z.string().min(1),
    files: z.array(fileSchema).min(1, 'list at least one file'),
    batch: z
      .object({
        maxBytes: positiveInt.default(1024 * 1024),
        maxMessages: positiveInt.default(10_000),
        maxAgeMs: positiveInt.default(1000),
      })
      .strict()
      .prefault({}),
    spool: z
      .object({ maxBytes: positiveInt.default(256 * 1024 * 1024) })
      .strict()
      .prefault({}),
    retry: z
      .object({ initialMs: positiveInt.default(500), maxMs: positiveInt.default(30_000) })
      .strict()
      .prefault({}),
    /** How often files are checked for new data. */
    pollIntervalMs: positiveInt.default(250),
    /** How often globs are expanded again (new files, rotations). */
    scanIntervalMs: positiveInt.default(2000),
    /** A rotated-away file is read until it has not grown for this long. */
    rotatedGraceMs: positiveInt.default(5000),
    /** On SIGTERM/SIGINT, how long to keep sending what is buffered before exiting. */
    shutdownTimeoutMs: positiveInt.default(10_000),
    host: z.string().optional(),
    healthPort: z.number().int().min(0).max(65535).optional(),
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  })
  .strict()
  .superRefine((config, ctx) => {
    config.files.forEach((file, i) => {
      if (file.token === undefined && config.server.token === undefined) {
        ctx.addIssue({ code: 'custom', path: ['files', i, 'token'], message: 'no token: set server.token or a token for this file' });
      }
    });
  });

export type CollectorConfigInput = z.input<typeof collectorConfigSchema>;
type ParsedConfig = z.output<typeof collectorConfigSchema>;

export type MultilineRule = { boundary: LinearRegex; timeoutMs: number; maxBytes: number } | undefined;

/** One `files:` entry, resolved: absolute path, token and metadata settled. */
export interface FileRule {
  index: number;
  pattern: string;
  token: string;
  category?: string;
  host: string;
  name?: string;
  fields: Record<string, string>;
  multiline: MultilineRule;
  startAt: 'beginning' | 'end';
}

export interface CollectorConfig extends Omit<ParsedConfig, 'files' | 'host'> {
  files: FileRule[];
}

/** Formats a zod path as `files[1].multiline.boundary`. */
function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out === '' ? '(top level)' : out;
}

/** Validates a parsed config object; `baseDir` resolves relative paths. Throws invalid_config naming each bad key. */
export function parseCollectorConfig(raw: unknown, options: { baseDir: string; source?: string }): CollectorConfig {
  const where = options.source ?? 'collector config';
  const parsed = collectorConfigSchema.safeParse(raw ?? {});
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      if (issue.code === 'unrecognized_keys') return `${formatPath(issue.path)}: unknown key ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
      return `${formatPath(issue.path)}: ${issue.message}`;
    });
    throw new AppError(ErrorCode.InvalidConfig, `${where} is invalid:\n  ${problems.join('\n  ')}`);
  }
  const config = parsed.data;
  const at = (p: string): string => (isAbsolute(p) ? p : resolve(options.baseDir, p));
  const host = config.host ?? hostname();
  return {
    ...config,
    stateDir: at(config.stateDir),
    files: config.files.map((file, index) => ({
      index,
      pattern: at(file.path),
      token: (file.token ?? config.server.token)!,
      ...(file.category !== undefined ? { category: file.category } : {}),
      host: file.host ?? host,
      ...(file.name !== undefined ? { name: file.name } : {}),
      fields: file.fields ?? {},
      multiline:
        file.multiline === false || file.multiline === 'off'
          ? undefined
          : { boundary: linearRegexOrThrow(file.multiline.boundary), timeoutMs: file.multiline.timeoutMs, maxBytes: file.multiline.maxBytes },
      startAt: file.startAt,
    })),
  };
}

/** Reads and validates a YAML config file. */
export function loadCollectorConfig(path: string): CollectorConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new AppError(ErrorCode.InvalidConfig, `cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new AppError(ErrorCode.InvalidConfig, `${path} is not valid YAML:\n  ${doc.errors.map((e) => e.message).join('\n  ')}`);
  }
  return parseCollectorConfig(doc.toJS(), { baseDir: dirname(resolve(path)), source: path });
}

/** A boundary the schema already checked. */
function linearRegexOrThrow(source: string): LinearRegex {
  const compiled = compileLinearRegex(source);
  if (!compiled.ok) throw new Error(`boundary regex: ${compiled.message}`);
  return compiled.regex;
}
