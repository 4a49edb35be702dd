import { z } from 'zod';
import { AppError, ErrorCode } from '../core/errors.js';
import { validateTimestampFormat } from '../core/timestamp.js';
import type { MetaStore, MultilineSetting, SourceRecord } from '../meta/meta-store.js';
import { hashSecret, newId, randomToken } from '../auth/secrets.js';

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
  })
  .strict();

export type NewSourceInput = z.input<typeof newSourceSchema>;

function toMultilineSetting(value: z.infer<typeof newSourceSchema>['multiline']): MultilineSetting {
  if (value === undefined || value === true) return { mode: 'infer' };
  if (value === false) return { mode: 'line' };
  const setting: MultilineSetting = typeof value === 'string' ? { mode: 'regex', boundary: value } : value;
  if (setting.mode === 'regex') {
    if (!setting.boundary) {
      throw new AppError(ErrorCode.BadRequest, 'multiline mode "regex" needs a boundary regex');
    }
    try {
      new RegExp(setting.boundary);
    } catch (error) {
      throw new AppError(ErrorCode.BadRequest, `multiline boundary is not a valid regex: ${(error as Error).message}`);
    }
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
  createdAt: string;
}

export function viewSource(source: SourceRecord): SourceView {
  return {
    id: source.id,
    name: source.name,
    category: source.category,
    host: source.host,
    multiline: source.multiline,
    timestampFormat: source.timestampFormat,
    createdAt: new Date(source.createdAt).toISOString(),
  };
}

/** HTTP sources: creation with a fresh ingest token, token rotation and resolution. */
export class SourceService {
  constructor(private readonly meta: MetaStore) {}

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
    if (body.timestampFormat !== undefined) {
      const problem = validateTimestampFormat(body.timestampFormat);
      if (problem) throw new AppError(ErrorCode.BadRequest, `invalid timestampFormat: ${problem}`);
    }
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
      },
      Date.now(),
    );
    return { source, token };
  }

  /** Replaces a source's token; the old one stops working at once. */
  async rotateToken(id: string): Promise<{ source: SourceRecord; token: string }> {
    const source = await this.meta.sources.findById(id);
    if (!source) throw new AppError(ErrorCode.NotFound, `no source with id ${id}`);
    const token = randomToken(48);
    await this.meta.sources.updateTokenHash(id, hashSecret(token));
    return { source, token };
  }

  /** The source an ingest token belongs to, or undefined. */
  resolveToken(token: string): Promise<SourceRecord | undefined> {
    if (token.length === 0 || token.length > 256) return Promise.resolve(undefined);
    return this.meta.sources.findByTokenHash(hashSecret(token));
  }
}
