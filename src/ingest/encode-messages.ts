import { detectTimestamp } from '../core/timestamp.js';
import { AppError, ErrorCode } from '../core/errors.js';
import { compileLinearRegex, type LinearRegex } from '../core/linear-regex.js';
import type { MultilineSetting } from '../meta/meta-store.js';
import { MAX_STORABLE_MS, MIN_STORABLE_MS, RowBinaryWriter, type EncodedBatch, type MessageContext } from '../store/row-encoding.js';
import { Pacer } from '../core/pacer.js';
import { createMessageSplitter } from './multiline.js';
import type { MessageRules } from './processing-rules.js';

/** `_format` of a message whose time is its receipt time because no timestamp was found. */
export const NO_TIMESTAMP_FORMAT = 'none';

export const MAX_MESSAGE_BYTES = 65_536;

export interface EncodeOptions {
  context: MessageContext;
  multiline: MultilineSetting;
  /** Per-source timestamp pattern; auto-detection when absent or when it does not match. */
  timestampFormat?: string | null;
  /** Per-source timestamp locator: a regex whose first group is the time (see detectTimestamp). */
  timestampLocator?: string | null;
  /** Parts are cut at message boundaries once they pass this many encoded bytes. */
  maxPartChars: number;
  /** True when the text is pure ASCII: then a message's byte size is its length. */
  isAscii: boolean;
  /** The source's processing rules, applied to each message after multiline grouping. */
  rules?: MessageRules;
}

export interface EncodedMessages {
  parts: EncodedBatch[];
  messages: number;
  messageBytes: number;
  /** Messages a processing rule dropped (set only when rules were given); not in `messages`/`messageBytes`. */
  excluded?: number;
}

const boundaryCache = new Map<string, LinearRegex>();

/** A source's boundary or locator regex, compiled once (it was validated when the source was saved). */
function sourceRegex(source: string, setting: string): LinearRegex {
  let regex = boundaryCache.get(source);
  if (!regex) {
    const compiled = compileLinearRegex(source);
    if (!compiled.ok) {
      throw new AppError(ErrorCode.Unavailable, `this source's ${setting} regex is no longer accepted (${compiled.message}); fix the source's ${setting}`);
    }
    regex = compiled.regex;
    if (boundaryCache.size > 1000) boundaryCache.clear();
    boundaryCache.set(source, regex);
  }
  return regex;
}

/** Text is handed to the splitter in pieces of about this many characters, cut after a newline. */
const SPLIT_CHUNK_CHARS = 1 << 20;

/**
 * Turns a decoded request body into encoded store rows: split into messages (lines or multiline
 * groups, 64 KiB pieces), detect each message's timestamp, and encode with the request's metadata.
 * Works in slices of a few milliseconds, so a 100 MB body does not hold the event loop.
 */
export async function encodeMessages(text: string, options: EncodeOptions): Promise<EncodedMessages> {
  const { context, multiline } = options;
  const pacer = new Pacer();
  const splitter = createMessageSplitter({
    mode: multiline.mode,
    ...(multiline.mode === 'regex' && multiline.boundary ? { boundary: sourceRegex(multiline.boundary, 'multiline boundary') } : {}),
    maxMessageBytes: MAX_MESSAGE_BYTES,
  });
  const messages: string[] = [];
  for (let start = 0; start < text.length; ) {
    // Cut after a newline so the splitter never carries (and re-copies) a long unfinished line.
    const newline = start + SPLIT_CHUNK_CHARS >= text.length ? -1 : text.indexOf('\n', start + SPLIT_CHUNK_CHARS);
    const end = newline < 0 ? text.length : newline + 1;
    for (const message of splitter.push(start === 0 && end === text.length ? text : text.slice(start, end))) messages.push(message);
    start = end;
    if (start < text.length) await pacer.yield();
  }
  for (const message of splitter.end()) messages.push(message);
  const timestampOptions = {
    referenceTime: context.receiptTime,
    ...(options.timestampFormat ? { format: options.timestampFormat } : {}),
    ...(options.timestampLocator ? { locator: sourceRegex(options.timestampLocator, 'timestamp locator') } : {}),
  };
  const parts: EncodedBatch[] = [];
  // Rows go straight into a RowBinary buffer (no row strings, nothing to escape); each finished
  // part is bytes off the JS heap, so queued rows cost the garbage collector nothing.
  // Rows take about the message bytes plus 35 bytes each (times, sizes, context).
  const writer = new RowBinaryWriter(context, Math.min(options.maxPartChars * 1.1, text.length * 1.4 + 4096));
  let totalBytes = 0;
  let excluded = 0;
  const rules = options.rules;
  for (const original of messages) {
    if (pacer.due()) await pacer.yield();
    const message = rules ? rules.apply(original) : original;
    if (message === undefined) {
      excluded++;
      continue;
    }
    // The time is read from the message as received, so a mask or hash over it cannot move it.
    let detected = detectTimestamp(original, timestampOptions);
    // A time the store cannot hold (before 1900, after 2299) is not the message's time: use receipt time.
    if (detected && (detected.ms < MIN_STORABLE_MS || detected.ms > MAX_STORABLE_MS)) detected = undefined;
    const ascii = options.isAscii && message === original;
    const size = ascii ? message.length : Buffer.byteLength(message, 'utf8');
    writer.add(detected?.ms ?? context.receiptTime, detected?.format ?? NO_TIMESTAMP_FORMAT, size, message, ascii);
    if (writer.size >= options.maxPartChars) {
      totalBytes += writer.messageBytes;
      parts.push(writer.take());
    }
  }
  if (writer.lines > 0) {
    totalBytes += writer.messageBytes;
    parts.push(writer.take());
  }
  const stored = messages.length - excluded;
  return rules ? { parts, messages: stored, messageBytes: totalBytes, excluded } : { parts, messages: stored, messageBytes: totalBytes };
}
