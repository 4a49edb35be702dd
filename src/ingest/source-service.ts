import { randomBytes } from 'node:crypto';
import { compileLinearRegex } from '../core/linear-regex.js';
import { z } from 'zod';
import { AppError, ErrorCode } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { validateTimestampFormat, validateTimestampLocator } from '../core/timestamp.js';
import type { MetaStore, MultilineSetting, ProcessingRule, SourceRecord } from '../meta/meta-store.js';
import { hashSecret, newId, randomToken } from '../auth/secrets.js';
import { compileRules, describeRuleProblem, validateRules, type CompiledRules, type MessageRules } from './processing-rules.js';

/** Settings key of the server secret that keys hash rules (created on first use, 256 random bits). */
export const HASH_KEY_SETTING = 'ingest.hashRuleKey';
/** How often excluded-line counts are written to the metadata store. */
const EXCLUDED_FLUSH_MS = 2_000;

/** What a caller may send to create an HTTP source (the REST body and content-as-code share it). */
export const newSourceSchema = z
  .object({
    name: z
      .string()
      .trim()
      .min(1, 'name must not be empty')
      .max(128, 'name must be at most 128 characters')
      .regex(/^[^\s/]([^/]*[^\s/])?$/, 'name must not contain "/" or start/end with spaces'),
    category: z.string().trim().max(1024).optional(),
    host: z.string().trim().max(1024).optional(),
    /**
     * `true` (infer boundaries, the default), `false` (one message per line), a boundary regex
     * string, or `{mode, boundary}`.
     */
    multiline: z
      .union([
        z.boolean(),
        z.string().min(1),
        z.object({ mode: z.enum(['line', 'infer', 'regex']), boundary: z.string().min(1).optional() }),
      ])
      .optional(),
    timestampFormat: z.string().trim().min(1).max(200).optional(),
    /** Regex whose first capture group is the timestamp (validated by validateTimestampLocator). */
    timestampLocator: z.string().min(1).max(1000).optional(),
    /** Processing rules, applied in order (validated by validateRules). */
    rules: z.unknown().optional(),
  })
  .strict();

/** What a caller may change on an existing source (null clears a timestamp setting). */
export const sourceUpdateSchema = z
  .object({
    rules: z.unknown().optional(),
    timestampFormat: z.string().trim().min(1).max(200).nullable().optional(),
    timestampLocator: z.string().min(1).max(1000).nullable().optional(),
  })
  .strict()
  .refine((body) => Object.keys(body).length > 0, { message: 'nothing to change: give rules, timestampFormat or timestampLocator' });

/** A 400 naming the bad timestamp setting, or nothing. */
function checkTimestampSettings(format: string | null | undefined, locator: string | null | undefined): void {
  if (format) {
    const problem = validateTimestampFormat(format);
    if (problem) throw new AppError(ErrorCode.BadRequest, `invalid timestampFormat: ${problem}`);
  }
  if (locator) {
    const problem = validateTimestampLocator(locator);
    if (problem) throw new AppError(ErrorCode.BadRequest, `invalid timestampLocator: ${problem}`);
  }
}

/** Validates a rule list from a request: the rules, or a 400 naming the first bad rule. */
function parseRules(input: unknown): ProcessingRule[] {
  const result = validateRules(input);
  if ('problem' in result) throw new AppError(ErrorCode.BadRequest, `invalid rules: ${describeRuleProblem(result.problem)}`);
  return result.rules;
}

function badBody(what: string, error: z.ZodError): AppError {
  const issue = error.issues[0];
  const where = issue ? issue.path.join('.') || 'body' : 'body';
  const message =
    issue?.code === 'unrecognized_keys' && what === 'update'
      ? `only "rules", "timestampFormat" and "timestampLocator" can be changed on an existing source (got ${issue.keys.map((k) => `"${k}"`).join(', ')})`
      : (issue?.message ?? 'bad body');
  return new AppError(ErrorCode.BadRequest, `invalid source ${what}: ${where}: ${message}`);
}

export type NewSourceInput = z.input<typeof newSourceSchema>;

function toMultilineSetting(value: z.infer<typeof newSourceSchema>['multiline']): MultilineSetting {
  if (value === undefined || value === true) return { mode: 'infer' };
  if (value === false) return { mode: 'line' };
  const setting: MultilineSetting = typeof value === 'string' ? { mode: 'regex', boundary: value } : value;
  if (setting.mode === 'regex') {
    if (!setting.boundary) {
      throw new AppError(ErrorCode.BadRequest, 'multiline mode "regex" needs a boundary regex');
    }
    const compiled = compileLinearRegex(setting.boundary);
    if (!compiled.ok) throw new AppError(ErrorCode.BadRequest, `multiline boundary is not a valid regex: ${compiled.message}`);
  }
  return setting;
}

/** Public view of a source (never its token hash). */
export interface SourceView {
  id: string;
  name: string;
  category: string | null;
  host: string | null;
  multiline: MultilineSetting;
  timestampFormat: string | null;
  timestampLocator: string | null;
  rules: ProcessingRule[];
  /** Messages the source's filters dropped (not stored, not counted as ingested). */
  excludedLines: number;
  createdAt: string;
}

export function viewSource(source: SourceRecord, pendingExcluded = 0): SourceView {
  return {
    id: source.id,
    name: source.name,
    category: source.category,
    host: source.host,
    multiline: source.multiline,
    timestampFormat: source.timestampFormat,
    timestampLocator: source.timestampLocator,
    rules: source.rules,
    excludedLines: source.excludedLines + pendingExcluded,
    createdAt: new Date(source.createdAt).toISOString(),
  };
}

interface CachedRules {
  /** The rules as stored (JSON), to notice a change. */
  json: string;
  compiled: CompiledRules | undefined;
}

/**
 * HTTP sources: creation with a fresh ingest token, token rotation and resolution, processing rules
 * (compiled once per source and rule set) and the excluded-lines counters.
 */
export class SourceService {
  private hashKey: Buffer | undefined;
  private hashKeyLoading: Promise<void> | undefined;
  private readonly rules = new Map<string, CachedRules>();
  /** Excluded counts taken from compiled rules that were replaced, not yet written. */
  private readonly pendingExcluded = new Map<string, number>();
  private flushTimer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;

  constructor(
    private readonly meta: MetaStore,
    private readonly logger?: Logger,
  ) {}

  /** Loads (or creates) the hash-rule key and starts writing excluded counts periodically. */
  async open(): Promise<void> {
    await this.loadHashKey();
    this.flushTimer ??= setInterval(() => void this.flushExcluded(), EXCLUDED_FLUSH_MS);
    this.flushTimer.unref();
  }

  /** Stops the periodic writes and writes the last counts. Idempotent. */
  async close(): Promise<void> {
    if (this.flushTimer) clearInterval(this.flushTimer);
    this.flushTimer = undefined;
    await this.flushExcluded();
  }

  private loadHashKey(): Promise<void> {
    this.hashKeyLoading ??= (async () => {
      // Nodes starting at once on one MetaStore all keep the first key stored (hashes agree).
      const hex = (await this.meta.getSetting(HASH_KEY_SETTING)) ?? (await this.meta.setSettingIfAbsent(HASH_KEY_SETTING, randomBytes(32).toString('hex')));
      this.hashKey = Buffer.from(hex, 'hex');
    })();
    return this.hashKeyLoading;
  }

  /**
   * The compiled rules of a source, for encodeMessages/encodeRecords; undefined when it has none.
   * Compiled once per rule set; the compiled object counts what its filters drop.
   */
  rulesOf(source: SourceRecord): MessageRules | undefined {
    if (source.rules.length === 0 && !this.rules.has(source.id)) return undefined;
    const json = JSON.stringify(source.rules);
    const cached = this.rules.get(source.id);
    if (cached?.json === json) return cached.compiled;
    if (cached?.compiled) this.addPending(source.id, cached.compiled.takeExcluded());
    if (!this.hashKey) {
      // open() was not awaited: hash rules need the key, so refuse rather than hash with a wrong one.
      throw new AppError(ErrorCode.Unavailable, 'processing rules are not ready yet', { retryAfterSeconds: 1 });
    }
    const compiled = compileRules(source.rules, this.hashKey);
    this.rules.set(source.id, { json, compiled });
    return compiled;
  }

  private addPending(id: string, count: number): void {
    if (count > 0) this.pendingExcluded.set(id, (this.pendingExcluded.get(id) ?? 0) + count);
  }

  /**
   * Excluded lines counted in memory and not yet written, for one source. Counts being written are
   * not included: callers that need exact totals await `flushExcluded()` before reading the source.
   */
  private unwrittenExcluded(id: string): number {
    return (this.pendingExcluded.get(id) ?? 0) + (this.rules.get(id)?.compiled?.peekExcluded() ?? 0);
  }

  /** Writes the excluded-lines counts gathered since the last write. */
  flushExcluded(): Promise<void> {
    this.flushing ??= (async () => {
      for (const [id, cached] of this.rules) if (cached.compiled) this.addPending(id, cached.compiled.takeExcluded());
      if (this.pendingExcluded.size === 0) return;
      const counts = new Map(this.pendingExcluded);
      this.pendingExcluded.clear();
      try {
        await this.meta.sources.addExcludedLines(counts);
      } catch (error) {
        for (const [id, count] of counts) this.addPending(id, count);
        this.logger?.warn({ err: error }, 'excluded-line counts could not be written; will retry');
      }
    })().finally(() => {
      this.flushing = undefined;
    });
    return this.flushing;
  }

  /** The public view, with excluded lines counted up to now. */
  view(source: SourceRecord): SourceView {
    return viewSource(source, this.unwrittenExcluded(source.id));
  }

  /** Creates a source; the returned token is shown once and stored only as a hash. */
  async create(input: unknown): Promise<{ source: SourceRecord; token: string }> {
    const parsed = newSourceSchema.safeParse(input);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new AppError(
        ErrorCode.BadRequest,
        `invalid source: ${issue ? `${issue.path.join('.') || 'body'}: ${issue.message}` : 'bad body'}`,
      );
    }
    const body = parsed.data;
    const rules = body.rules === undefined ? [] : parseRules(body.rules);
    checkTimestampSettings(body.timestampFormat, body.timestampLocator);
    if (await this.meta.sources.findByName(body.name)) {
      throw new AppError(ErrorCode.Conflict, `a source named "${body.name}" already exists`);
    }
    const token = randomToken(48);
    const source = await this.meta.sources.create(
      {
        id: newId(),
        name: body.name,
        tokenHash: hashSecret(token),
        category: body.category || null,
        host: body.host || null,
        multiline: toMultilineSetting(body.multiline),
        timestampFormat: body.timestampFormat ?? null,
        timestampLocator: body.timestampLocator ?? null,
        rules,
      },
      Date.now(),
    );
    return { source, token };
  }

  /** Changes a source's processing rules; a bad rule is a 400 and changes nothing. */
  async update(id: string, input: unknown): Promise<SourceRecord> {
    const parsed = sourceUpdateSchema.safeParse(input);
    if (!parsed.success) throw badBody('update', parsed.error);
    const body = parsed.data;
    const rules = body.rules === undefined ? undefined : parseRules(body.rules);
    checkTimestampSettings(body.timestampFormat, body.timestampLocator);
    const source = await this.meta.sources.findById(id);
    if (!source) throw new AppError(ErrorCode.NotFound, `no source with id ${id}`);
    const updated: SourceRecord = {
      ...source,
      ...(rules !== undefined ? { rules } : {}),
      ...(body.timestampFormat !== undefined ? { timestampFormat: body.timestampFormat } : {}),
      ...(body.timestampLocator !== undefined ? { timestampLocator: body.timestampLocator } : {}),
    };
    if (rules !== undefined && !(await this.meta.sources.updateRules(id, rules))) throw new AppError(ErrorCode.NotFound, `no source with id ${id}`);
    if (body.timestampFormat !== undefined || body.timestampLocator !== undefined) {
      const timestamp = { format: updated.timestampFormat, locator: updated.timestampLocator };
      if (!(await this.meta.sources.updateTimestamp(id, timestamp))) throw new AppError(ErrorCode.NotFound, `no source with id ${id}`);
    }
    return updated;
  }

  /** The source a syslog listener lands in, by name (the hash-rule key loaded). */
  async findByName(name: string): Promise<SourceRecord | undefined> {
    await this.loadHashKey();
    return this.meta.sources.findByName(name);
  }

  /** Replaces a source's token; the old one stops working at once. */
  async rotateToken(id: string): Promise<{ source: SourceRecord; token: string }> {
    const source = await this.meta.sources.findById(id);
    if (!source) throw new AppError(ErrorCode.NotFound, `no source with id ${id}`);
    const token = randomToken(48);
    // Deleted since it was read: a token for no source must not be handed out.
    if (!(await this.meta.sources.updateTokenHash(id, hashSecret(token)))) throw new AppError(ErrorCode.NotFound, `no source with id ${id}`);
    return { source, token };
  }

  /** The source an ingest token belongs to, or undefined. */
  async resolveToken(token: string): Promise<SourceRecord | undefined> {
    if (token.length === 0 || token.length > 256) return undefined;
    if (!this.hashKey) await this.loadHashKey();
    return this.meta.sources.findByTokenHash(hashSecret(token));
  }
}
