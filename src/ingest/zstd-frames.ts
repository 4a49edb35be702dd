/**
 * Zstandard bodies, decoded a block at a time within a window limit (RFC 8878).
 *
 * The decoder (fzstd, pure JavaScript) allocates the window a frame declares and moves the whole
 * window for every block it decodes; handed a whole body in one call it decodes every block in it
 * before returning. A 9 KB frame made with `zstd --long=27` (a 128 MiB window) held the event loop
 * for 34 s that way. So the body is cut here at frame and block boundaries — only headers are read,
 * nothing is decoded — each frame's window is checked before a byte of it reaches the decoder, and
 * the decoder gets one block (at most 128 KiB of output) per call, with the event loop let through
 * whenever the decoding since the last pause took more than a few milliseconds.
 */
import { Decompress } from 'fzstd';

/** Why a body is refused before decoding. */
export class ZstdLimitError extends Error {
  constructor(
    message: string,
    readonly kind: 'window' | 'size' | 'format',
  ) {
    super(message);
  }
}

export interface ZstdLimits {
  /** Largest window a frame may declare (bytes). RFC 8878 recommends decoders support 8 MiB. */
  maxWindowBytes: number;
  /** Largest content size a frame may declare (bytes); the decoded output is checked as well. */
  maxContentBytes: number;
}

const FRAME_MAGIC = 0xfd2fb528;
const BLOCK_MAX = 128 * 1024;
/** Decoding work between two pauses of the event loop, at most about this long (ms). */
const SLICE_MS = 8;

type Step =
  | { kind: 'magic' }
  | { kind: 'frame-header' }
  | { kind: 'skippable'; left: number }
  | { kind: 'block-header' }
  | { kind: 'block'; size: number; isLast: boolean }
  | { kind: 'checksum' };

/** Reads the frame header at the start of `bytes` (which begin with the frame's magic); undefined when incomplete. */
function frameHeader(bytes: Uint8Array, limits: ZstdLimits): { length: number; hasChecksum: boolean; window: number } | undefined {
  if (bytes.length < 5) return undefined;
  const fhd = bytes[4]!;
  const fcsFlag = fhd >> 6;
  const singleSegment = (fhd >> 5) & 1;
  if (fhd & 0x08) throw new ZstdLimitError('invalid zstd frame header (reserved bit set)', 'format');
  const dictIdBytes = [0, 1, 2, 4][fhd & 3]!;
  const fcsBytes = fcsFlag === 0 ? singleSegment : [0, 2, 4, 8][fcsFlag]!;
  const length = 5 + (singleSegment ? 0 : 1) + dictIdBytes + fcsBytes;
  if (bytes.length < length) return undefined;
  let at = 5;
  let window = 0;
  if (!singleSegment) {
    const descriptor = bytes[at++]!;
    const base = 2 ** (10 + (descriptor >> 3));
    window = base + (base / 8) * (descriptor & 7);
  }
  let dictId = 0;
  for (let i = 0; i < dictIdBytes; i++) dictId += bytes[at++]! * 2 ** (8 * i);
  if (dictId !== 0) throw new ZstdLimitError('zstd frames that need a dictionary are not accepted', 'format');
  let contentSize = -1;
  if (fcsBytes > 0) {
    contentSize = 0;
    for (let i = 0; i < fcsBytes; i++) contentSize += bytes[at++]! * 2 ** (8 * i);
    if (fcsBytes === 2) contentSize += 256;
  }
  // A single-segment frame's window is its whole content.
  if (singleSegment) window = contentSize;
  if (window > limits.maxWindowBytes) {
    throw new ZstdLimitError(
      `zstd frame needs a ${window} byte window; at most ${limits.maxWindowBytes} are accepted (compress without --long or --ultra, or raise QUARRY_MAX_ZSTD_WINDOW_BYTES)`,
      'window',
    );
  }
  if (contentSize > limits.maxContentBytes) {
    throw new ZstdLimitError(`zstd frame declares ${contentSize} bytes of content, over the ${limits.maxContentBytes} byte limit`, 'size');
  }
  return { length, hasChecksum: ((fhd >> 2) & 1) === 1, window };
}

/**
 * A zstd decoder fed in pieces of any size: `push` splits them at block boundaries, checks every
 * frame header, and decodes block by block, pausing for the event loop between slices of work.
 * `onData` may throw to stop decoding at once (an output limit).
 */
export class ZstdBlockDecoder {
  private readonly decoder: Decompress;
  private pending: Uint8Array = new Uint8Array(0);
  private step: Step = { kind: 'magic' };
  private sliceStarted = performance.now();
  private sawFrame = false;

  constructor(
    private readonly limits: ZstdLimits,
    onData: (data: Uint8Array) => void,
  ) {
    this.decoder = new Decompress((data) => {
      if (data.length > 0) onData(data);
    });
  }

  /** Takes more compressed bytes; resolves once every complete block in them is decoded. */
  async push(chunk: Uint8Array): Promise<void> {
    this.pending = this.pending.length === 0 ? chunk : concat(this.pending, chunk);
    for (;;) {
      const unit = this.nextUnit();
      if (unit === 0) return;
      const piece = this.pending.subarray(0, unit);
      this.pending = this.pending.subarray(unit);
      this.decoder.push(piece);
      if (performance.now() - this.sliceStarted > SLICE_MS) {
        await new Promise<void>((resolve) => setImmediate(resolve));
        this.sliceStarted = performance.now();
      }
    }
  }

  /** Ends the input: a frame cut short is invalid. */
  finish(): void {
    if (this.pending.length > 0 || this.step.kind !== 'magic' || !this.sawFrame) {
      throw new ZstdLimitError('zstd data ends inside a frame', 'format');
    }
    this.decoder.push(new Uint8Array(0), true);
  }

  /** Length of the next complete unit at the start of `pending` (frame header, block, checksum), 0 when incomplete. */
  private nextUnit(): number {
    const bytes = this.pending;
    const step = this.step;
    switch (step.kind) {
      case 'magic': {
        if (bytes.length < 4) return 0;
        const magic = (bytes[0]! | (bytes[1]! << 8) | (bytes[2]! << 16) | (bytes[3]! << 24)) >>> 0;
        if (magic === FRAME_MAGIC) {
          this.step = { kind: 'frame-header' };
          return this.nextUnit();
        }
        if ((magic & 0xfffffff0) >>> 0 === 0x184d2a50) {
          if (bytes.length < 8) return 0;
          const size = (bytes[4]! | (bytes[5]! << 8) | (bytes[6]! << 16) | (bytes[7]! << 24)) >>> 0;
          this.step = { kind: 'skippable', left: size };
          this.sawFrame = true;
          return 8;
        }
        throw new ZstdLimitError('not zstd data (unknown frame magic)', 'format');
      }
      case 'frame-header': {
        const header = frameHeader(bytes, this.limits);
        if (header === undefined) return 0;
        this.hasChecksum = header.hasChecksum;
        this.blockLimit = Math.min(BLOCK_MAX, Math.max(header.window, 1));
        this.sawFrame = true;
        this.step = { kind: 'block-header' };
        return header.length;
      }
      case 'skippable': {
        // Skipped content goes to the decoder as it comes (it skips it); nothing is decoded.
        if (step.left === 0) {
          this.step = { kind: 'magic' };
          return this.nextUnit();
        }
        const n = Math.min(step.left, bytes.length);
        step.left -= n;
        return n;
      }
      case 'block-header': {
        if (bytes.length < 3) return 0;
        const header = bytes[0]! | (bytes[1]! << 8) | (bytes[2]! << 16);
        const isLast = (header & 1) === 1;
        const type = (header >> 1) & 3;
        const size = header >> 3;
        if (type === 3) throw new ZstdLimitError('invalid zstd block (reserved type)', 'format');
        if (type !== 1 && size > this.blockLimit) throw new ZstdLimitError('invalid zstd block (larger than the frame allows)', 'format');
        // A block goes to the decoder with its header: raw and compressed blocks carry `size` bytes, RLE one.
        this.step = { kind: 'block', size: 3 + (type === 1 ? 1 : size), isLast };
        return this.nextUnit();
      }
      case 'block': {
        if (bytes.length < step.size) return 0;
        this.step = step.isLast ? (this.hasChecksum ? { kind: 'checksum' } : { kind: 'magic' }) : { kind: 'block-header' };
        return step.size;
      }
      case 'checksum': {
        if (bytes.length < 4) return 0;
        this.step = { kind: 'magic' };
        return 4;
      }
    }
  }

  private hasChecksum = false;
  private blockLimit = BLOCK_MAX;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}
