/**
 * Receiver support for `quarry collect` (and any sender that wants the same guarantees):
 *
 * - `X-Quarry-Framing: json-lines` — each non-empty body line is one JSON string, stored as one
 *   message exactly as sent (newlines inside it kept). The sender has already grouped multiline
 *   events, so the source's multiline setting must not split them again.
 * - `X-Quarry-Batch-Id: <id>` — the request is one idempotent batch. Its rows carry the id in the
 *   field `collector_batch`, are written as one atomic insert, and a batch id the server has already
 *   stored is answered 200 again without storing anything (`"duplicate": true` in the answer).
 * - `X-Quarry-Batch-Resend: <epoch ms>` — the sender may have sent this batch before (it was not
 *   sent before that time). When the server does not remember the id (it restarted since, or the
 *   first attempt went to another receiver of the same store), it counts
 *   the rows with the id in the store, received since that time minus {@link RESEND_CLOCK_SKEW_MS}:
 *   all of the batch's rows → duplicate; some → those are deleted and the batch is stored again.
 *
 * Because the id lives in the stored rows themselves and the rows of a batch are one insert, "the
 * id is in the store" and "the batch is stored" agree after any crash. One case needs the count: a
 * batch spanning a UTC midnight is inserted as one part per day, committed one after the other, so
 * a crash between those commits keeps only some days; its resend repairs it.
 */
import { AppError, ErrorCode } from '../core/errors.js';
import { Pacer } from '../core/pacer.js';
import { LineCursor } from '../core/text.js';
import type { MultilineSetting } from '../meta/meta-store.js';
import type { LogStore } from '../store/log-store.js';
import type { EncodedBatch } from '../store/row-encoding.js';
import { encodeMessages, type EncodeOptions, type EncodedMessages } from './encode-messages.js';
import { SplitMode } from './multiline.js';

/** The field every row of an identified batch carries. */
/** Listed in INTERNAL_FIELDS: people never see it. */
export const BATCH_FIELD = 'collector_batch';
/** How far the sender's clock may be ahead of the server's for a resend lookup to still find its batch. */
export const RESEND_CLOCK_SKEW_MS = 15 * 60_000;
/** Completed batch ids remembered in memory (a lookup in the store is needed only beyond these). */
const REMEMBERED_BATCHES = 20_000;

/**
 * The splitter's `request` mode keeps a text as one message (trimming blank edges, cutting past
 * 64 KiB); sources cannot choose it, so MultilineSetting does not list it, but encodeMessages hands
 * the mode to the splitter as is.
 */
const WHOLE_MESSAGE = { mode: SplitMode.Request } as unknown as MultilineSetting;

const BATCH_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export const Framing = { Lines: 'lines', JsonLines: 'json-lines' } as const;
export type Framing = (typeof Framing)[keyof typeof Framing];

export interface BatchHeaders {
  framing: Framing;
  id?: string;
  resendSince?: number;
}

function single(value: string | string[] | undefined): string | undefined {
  const text = (Array.isArray(value) ? value[0] : value)?.trim();
  return text === undefined || text === '' ? undefined : text;
}

/** Reads the X-Quarry-Framing / -Batch-Id / -Batch-Resend headers; malformed ones are a 400 naming the header. */
export function readBatchHeaders(headers: Record<string, string | string[] | undefined>): BatchHeaders {
  const framingText = single(headers['x-quarry-framing'])?.toLowerCase();
  if (framingText !== undefined && framingText !== Framing.Lines && framingText !== Framing.JsonLines) {
    throw new AppError(ErrorCode.BadRequest, 'X-Quarry-Framing must be "lines" or "json-lines"');
  }
  const id = single(headers['x-quarry-batch-id']);
  if (id !== undefined && !BATCH_ID.test(id)) {
    throw new AppError(
      ErrorCode.BadRequest,
      'X-Quarry-Batch-Id must be 1-128 characters of letters, digits, . _ : -',
    );
  }
  const resendText = single(headers['x-quarry-batch-resend']);
  let resendSince: number | undefined;
  if (resendText !== undefined) {
    resendSince = Number(resendText);
    if (!/^\d{1,15}$/.test(resendText)) {
      throw new AppError(ErrorCode.BadRequest, 'X-Quarry-Batch-Resend must be epoch milliseconds');
    }
    if (id === undefined)
      throw new AppError(ErrorCode.BadRequest, 'X-Quarry-Batch-Resend needs X-Quarry-Batch-Id');
  }
  return {
    framing: framingText ?? Framing.Lines,
    ...(id !== undefined ? { id } : {}),
    ...(resendSince !== undefined ? { resendSince } : {}),
  };
}

/**
 * Encodes a receiver body per its framing. `lines`: as every HTTP source request. `json-lines`:
 * one message per JSON string line, never re-split (a message over 64 KiB is still cut). A batch
 * with an id becomes one part, so the store writes it in one insert (one committed part per day).
 */
export async function encodeBatchBody(text: string, options: EncodeOptions, batch: BatchHeaders): Promise<EncodedMessages> {
  const context =
    batch.id === undefined
      ? options.context
      : { ...options.context, fields: { ...options.context.fields, [BATCH_FIELD]: batch.id } };
  const opts: EncodeOptions = {
    ...options,
    context,
    ...(batch.id !== undefined ? { maxPartChars: Number.POSITIVE_INFINITY } : {}),
  };
  if (batch.framing === Framing.Lines) return encodeMessages(text, opts);
  const pacer = new Pacer();
  const parts: EncodedBatch[] = [];
  let messages = 0;
  let messageBytes = 0;
  let excluded: number | undefined;
  const add = (encoded: EncodedMessages): void => {
    messages += encoded.messages;
    messageBytes += encoded.messageBytes;
    if (encoded.excluded !== undefined) excluded = (excluded ?? 0) + encoded.excluded;
    for (const part of encoded.parts) {
      const last = parts[parts.length - 1];
      if (last !== undefined && last.text.length < opts.maxPartChars) {
        last.text += part.text;
        last.lines += part.lines;
        last.messageBytes += part.messageBytes;
      } else {
        parts.push({ ...part });
      }
    }
  };
  // Single-line messages are encoded together in line mode (one message per line: the same result
  // as one by one, much cheaper); a message with newlines is encoded alone, kept whole.
  let run: string[] = [];
  const flushRun = async (): Promise<void> => {
    if (run.length > 0)
      add(await encodeMessages(run.join('\n'), { ...opts, multiline: { mode: 'line' }, isAscii: false }));
    run = [];
  };
  let lineNo = 0;
  const lines = new LineCursor(text);
  for (let line = lines.next(); line !== undefined; line = lines.next()) {
    if (pacer.due()) await pacer.yield();
    lineNo++;
    if (line.trim() === '') continue;
    let message: unknown;
    try {
      message = JSON.parse(line);
    } catch {
      throw new AppError(
        ErrorCode.BadRequest,
        `X-Quarry-Framing json-lines: line ${lineNo} is not valid JSON`,
      );
    }
    if (typeof message !== 'string') {
      throw new AppError(
        ErrorCode.BadRequest,
        `X-Quarry-Framing json-lines: line ${lineNo} is not a JSON string`,
      );
    }
    if (message.includes('\n')) {
      await flushRun();
      add(await encodeMessages(message, { ...opts, multiline: WHOLE_MESSAGE, isAscii: false }));
    } else {
      run.push(message);
    }
  }
  await flushRun();
  return { parts, messages, messageBytes, ...(excluded !== undefined ? { excluded } : {}) };
}

interface Deduplicator {
  inFlight: Map<string, Promise<unknown>>;
  /** Stored batch ids and when they were stored. */
  done: Map<string, number>;
  /** Since when this memory has seen every batch (it starts empty with the process). */
  createdAt: number;
  /** The latest time a remembered id was dropped to bound memory. */
  forgottenUpTo: number;
}

const deduplicators = new WeakMap<LogStore, Deduplicator>();


/**
 * Runs `store` (which stores the batch and returns the answer) at most once per source and batch id:
 * a concurrent duplicate waits for the first, a later one gets `duplicate` without storing again.
 */
export async function runBatchOnce<T>(options: {
  store: LogStore;
  source: string;
  batch: BatchHeaders;
  write: () => Promise<T>;
  duplicate: () => T;
  /** Rows the batch stores (to tell a whole stored batch from a partly stored one). */
  rows: number;
}): Promise<{ result: T; isDuplicate: boolean }> {
  const { batch, source } = options;
  if (batch.id === undefined) return { result: await options.write(), isDuplicate: false };
  let state = deduplicators.get(options.store);
  if (state === undefined) {
    state = { inFlight: new Map(), done: new Map(), createdAt: Date.now(), forgottenUpTo: 0 };
    deduplicators.set(options.store, state);
  }
  const key = `${source}\u0000${batch.id}`;
  // A resend that overlaps the first attempt (the sender timed out) waits for it.
  for (let running = state.inFlight.get(key); running !== undefined; running = state.inFlight.get(key)) {
    try {
      await running;
    } catch {
      // The first attempt failed: this one may store the batch.
    }
  }
  if (state.done.has(key)) return { result: options.duplicate(), isDuplicate: true };
  // Memory answers for batches created since it started, if nothing was forgotten since; only
  // older resends (the server restarted after the batch was first sent) need a look in the store.
  // When other receivers write to the same store, the first attempt may have reached one of them:
  // every resend this process has not completed itself is looked up in the store.
  const since = batch.resendSince;
  const isRemembered =
    !options.store.sharedWriters &&
    since !== undefined &&
    since - RESEND_CLOCK_SKEW_MS > Math.max(state.createdAt, state.forgottenUpTo);
  const attempt = (async () => {
    if (since !== undefined && !isRemembered) {
      const tagged = { source, field: BATCH_FIELD, value: batch.id!, receivedSince: since - RESEND_CLOCK_SKEW_MS };
      const stored = await options.store.countTagged(tagged);
      if (stored >= options.rows) return { result: options.duplicate(), isDuplicate: true };
      // Partly stored: a crash fell between the per-day parts of its insert (see the file header).
      // The partial rows go, then the whole batch is stored again.
      if (stored > 0) await options.store.deleteTagged(tagged);
    }
    return { result: await options.write(), isDuplicate: false };
  })();
  state.inFlight.set(key, attempt);
  try {
    const outcome = await attempt;
    state.done.set(key, Date.now());
    if (state.done.size > REMEMBERED_BATCHES) {
      const [oldest, at] = state.done.entries().next().value!;
      state.done.delete(oldest);
      state.forgottenUpTo = Math.max(state.forgottenUpTo, at);
    }
    return outcome;
  } finally {
    state.inFlight.delete(key);
  }
}
