/**
 * Syslog over a byte stream (TCP, TLS): RFC 6587 framing, detected once per connection.
 *
 * - Octet counting: `LEN SP MSG`, chosen when the stream starts with digits, a space and `<`
 *   (`123 <34>1 …`); embedded newlines are kept. Whitespace between frames is tolerated.
 * - Non-transparent framing: each message ends with LF (or NUL, as some senders use); a CR before
 *   the LF is dropped. Everything that is not octet counting is read this way.
 *
 * Memory is bounded whatever the peer sends: a frame longer than `maxFrameBytes` is handed out in
 * pieces of at most that size (cut between UTF-8 characters), so the decoder never holds more than
 * one piece plus the chunk being read. A malformed octet count is an error: the frames before it
 * have already been returned, and the caller closes the connection.
 */

export const FramingMode = {
  Unknown: 'unknown',
  OctetCounting: 'octet-counting',
  NonTransparent: 'non-transparent',
} as const;
export type FramingMode = (typeof FramingMode)[keyof typeof FramingMode];

export interface SyslogFrame {
  bytes: Buffer;
  /** True for the second and later pieces of a frame cut at `maxFrameBytes`. */
  continued: boolean;
}

export interface DecodeResult {
  frames: SyslogFrame[];
  /** Set when the stream cannot be read further (bad octet count); the connection should close. */
  error?: string;
}

const LF = 0x0a;
const CR = 0x0d;
const NUL = 0x00;
const SP = 0x20;
const LT = 0x3c;
/** Longest LEN accepted (9 digits: < 1 GB; anything longer is not a syslog frame). */
const MAX_LEN_DIGITS = 9;

function isDigit(c: number | undefined): boolean {
  return c !== undefined && c >= 0x30 && c <= 0x39;
}

/** Largest cut ≤ `max` that does not split a UTF-8 character (falls back to `max` for garbage). */
function utf8Cut(bytes: Buffer, max: number): number {
  let cut = max;
  for (let k = 0; k < 3 && cut > 0 && ((bytes[cut] ?? 0) & 0xc0) === 0x80; k++) cut--;
  return cut === 0 ? max : cut;
}

/** Incremental decoder for one connection. */
export class SyslogFrameDecoder {
  private pending: Buffer = Buffer.alloc(0);
  private modeValue: FramingMode = FramingMode.Unknown;
  /** Octet counting: bytes of the current frame still to read, or -1 between frames. */
  private remaining = -1;
  /** The next piece handed out continues a cut frame. */
  private continuing = false;
  private failed = false;
  /** Frames longer than the limit (each counted once, however many pieces). */
  cutFrames = 0;

  constructor(private readonly maxFrameBytes: number) {}

  get mode(): FramingMode {
    return this.modeValue;
  }

  /** Bytes held while waiting for the rest of a frame (bounded by maxFrameBytes + one chunk). */
  get bufferedBytes(): number {
    return this.pending.length;
  }

  /** Feeds bytes; returns the frames completed (and pieces of frames cut) so far. */
  push(chunk: Buffer): DecodeResult {
    if (this.failed) return { frames: [] };
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    const frames: SyslogFrame[] = [];
    if (this.modeValue === FramingMode.Unknown) this.detect();
    if (this.modeValue === FramingMode.NonTransparent) this.readLines(frames);
    else if (this.modeValue === FramingMode.OctetCounting) {
      const error = this.readCounted(frames);
      if (error !== undefined) {
        this.failed = true;
        this.pending = Buffer.alloc(0);
        return { frames, error };
      }
    }
    return { frames };
  }

  /** The end of the stream: a last line without its newline is a frame; a cut-short counted frame is an error. */
  finish(): DecodeResult {
    if (this.failed) return { frames: [] };
    const rest = this.pending;
    this.pending = Buffer.alloc(0);
    if (this.modeValue === FramingMode.OctetCounting && this.remaining > 0) {
      const frames = rest.length > 0 ? [this.take(rest)] : [];
      return { frames, error: `connection ended ${this.remaining - rest.length} bytes short of an octet-counted frame` };
    }
    if (this.modeValue === FramingMode.OctetCounting && rest.some((c) => c !== LF && c !== CR && c !== NUL && c !== SP)) {
      return { frames: [], error: 'connection ended inside an octet count' };
    }
    if (this.modeValue !== FramingMode.OctetCounting && rest.length > 0) {
      const end = rest[rest.length - 1] === CR ? rest.length - 1 : rest.length;
      return { frames: end > 0 ? [this.take(rest.subarray(0, end))] : [] };
    }
    return { frames: [] };
  }

  private detect(): void {
    const p = this.pending;
    let i = 0;
    while (i < p.length && isDigit(p[i])) i++;
    if (i === p.length && i <= MAX_LEN_DIGITS) return; // only digits so far: wait for more
    if (i > 0 && i <= MAX_LEN_DIGITS && p[0] !== 0x30 && p[i] === SP) {
      if (i + 1 === p.length) return; // `123 ` and nothing after yet
      if (p[i + 1] === LT) {
        this.modeValue = FramingMode.OctetCounting;
        return;
      }
    }
    this.modeValue = FramingMode.NonTransparent;
  }

  private take(bytes: Buffer): SyslogFrame {
    const frame = { bytes, continued: this.continuing };
    this.continuing = false;
    return frame;
  }

  private takePiece(frames: SyslogFrame[], bytes: Buffer): void {
    if (!this.continuing) this.cutFrames++;
    frames.push({ bytes, continued: this.continuing });
    this.continuing = true;
  }

  /** Hands out the end of a frame, cut into pieces when it is longer than the limit. */
  private emit(frames: SyslogFrame[], bytes: Buffer): void {
    let rest = bytes;
    while (rest.length > this.maxFrameBytes) {
      const cut = utf8Cut(rest, this.maxFrameBytes);
      this.takePiece(frames, rest.subarray(0, cut));
      rest = rest.subarray(cut);
    }
    frames.push(this.take(rest));
  }

  private readLines(frames: SyslogFrame[]): void {
    let p = this.pending;
    let start = 0;
    for (let i = 0; i < p.length; i++) {
      const c = p[i];
      if (c !== LF && c !== NUL) continue;
      const end = i > start && p[i - 1] === CR ? i - 1 : i;
      if (end > start) this.emit(frames, p.subarray(start, end));
      else this.continuing = false;
      start = i + 1;
    }
    p = p.subarray(start);
    while (p.length >= this.maxFrameBytes) {
      const cut = utf8Cut(p, this.maxFrameBytes);
      this.takePiece(frames, p.subarray(0, cut));
      p = p.subarray(cut);
    }
    // Copy what is kept so a small remainder does not pin the whole chunk in memory.
    this.pending = Buffer.from(p);
  }

  private readCounted(frames: SyslogFrame[]): string | undefined {
    let p = this.pending;
    for (;;) {
      if (this.remaining < 0) {
        let i = 0;
        while (i < p.length && (p[i] === LF || p[i] === CR || p[i] === NUL || p[i] === SP)) i++;
        p = p.subarray(i);
        if (p.length === 0) break;
        let digits = 0;
        while (digits < p.length && isDigit(p[digits])) digits++;
        if (digits > MAX_LEN_DIGITS || (digits === 0 && p.length > 0) || p[0] === 0x30) {
          return 'malformed octet count: a frame must start with its length and a space (RFC 6587)';
        }
        if (digits === p.length) break; // the count continues in the next chunk
        if (p[digits] !== SP) return 'malformed octet count: the length must be followed by a space (RFC 6587)';
        this.remaining = Number(p.subarray(0, digits).toString('latin1'));
        p = p.subarray(digits + 1);
      }
      if (p.length >= this.remaining) {
        this.emit(frames, p.subarray(0, this.remaining));
        p = p.subarray(this.remaining);
        this.remaining = -1;
        continue;
      }
      while (p.length >= this.maxFrameBytes) {
        const cut = utf8Cut(p, this.maxFrameBytes);
        this.takePiece(frames, p.subarray(0, cut));
        p = p.subarray(cut);
        this.remaining -= cut;
      }
      break;
    }
    this.pending = Buffer.from(p);
    return undefined;
  }
}
