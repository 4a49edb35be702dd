import { detectTimestamp } from '../core/timestamp.js';
import type { MultilineSetting } from '../meta/meta-store.js';
import {
  contextIdOf,
  encodeContext,
  encodedPart,
  encodeRow,
  MAX_STORABLE_MS,
  MIN_STORABLE_MS,
  type EncodedBatch,
  type MessageContext,
} from '../store/row-encoding.js';
import { splitMessages } from './multiline.js';
import type { MessageRules } from './processing-rules.js';

/** `_format` of a message whose time is its receipt time because no timestamp was found. */
export const NO_TIMESTAMP_FORMAT = 'none';

export const MAX_MESSAGE_BYTES = 65_536;

export interface EncodeOptions {
  context: MessageContext;
  multiline: MultilineSetting;
  /** Per-source timestamp pattern; auto-detection when absent or when it does not match. */
  timestampFormat?: string | null;
  /** Parts are cut at message boundaries once they pass this many encoded characters. */
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

const boundaryCache = new Map<string, RegExp>();

function boundaryRegex(source: string): RegExp {
  let regex = boundaryCache.get(source);
  if (!regex) {
    regex = new RegExp(source);
    if (boundaryCache.size > 1000) boundaryCache.clear();
    boundaryCache.set(source, regex);
  }
  return regex;
}

/**
 * Turns a decoded request body into encoded store rows: split into messages (lines or multiline
 * groups, 64 KiB pieces), detect each message's timestamp, and encode with the request's metadata.
 */
export function encodeMessages(text: string, options: EncodeOptions): EncodedMessages {
  const { context, multiline } = options;
  const messages = splitMessages(text, {
    mode: multiline.mode,
    ...(multiline.mode === 'regex' && multiline.boundary ? { boundary: boundaryRegex(multiline.boundary) } : {}),
    maxMessageBytes: MAX_MESSAGE_BYTES,
  });
  const encodedContext = encodeContext(context);
  const contexts = [contextIdOf(encodedContext)];
  const timestampOptions = {
    referenceTime: context.receiptTime,
    ...(options.timestampFormat ? { format: options.timestampFormat } : {}),
  };
  const parts: EncodedBatch[] = [];
  // Each finished part becomes bytes at once, so its row strings die young (cheap for the GC) and
  // the queue holds off-heap buffers. ASCII text (and rows are ASCII around it) copies as latin1.
  const encoding = options.isAscii && !options.rules ? 'latin1' : 'utf8';
  let current = '';
  let currentLines = 0;
  let currentBytes = 0;
  let totalBytes = 0;
  let excluded = 0;
  const rules = options.rules;
  for (const original of messages) {
    const message = rules ? rules.apply(original) : original;
    if (message === undefined) {
      excluded++;
      continue;
    }
    // The time is read from the message as received, so a mask or hash over it cannot move it.
    let detected = detectTimestamp(original, timestampOptions);
    // A time the store cannot hold (before 1900, after 2299) is not the message's time: use receipt time.
    if (detected && (detected.ms < MIN_STORABLE_MS || detected.ms > MAX_STORABLE_MS)) detected = undefined;
    const size = options.isAscii && message === original ? message.length : Buffer.byteLength(message, 'utf8');
    current += encodeRow(
      detected?.ms ?? context.receiptTime,
      detected?.format ?? NO_TIMESTAMP_FORMAT,
      size,
      message,
      encodedContext,
    );
    currentLines++;
    currentBytes += size;
    if (current.length >= options.maxPartChars) {
      parts.push(encodedPart(Buffer.from(current, encoding), currentLines, currentBytes, contexts));
      totalBytes += currentBytes;
      current = '';
      currentLines = 0;
      currentBytes = 0;
    }
  }
  if (currentLines > 0) {
    parts.push(encodedPart(Buffer.from(current, encoding), currentLines, currentBytes, contexts));
    totalBytes += currentBytes;
  }
  const stored = messages.length - excluded;
  return rules ? { parts, messages: stored, messageBytes: totalBytes, excluded } : { parts, messages: stored, messageBytes: totalBytes };
}
