/**
 * Groups a file's lines into events on the collector's side, with byte offsets, so a checkpoint
 * never points past an event that has not been sent.
 *
 * Boundaries follow the server's regex multiline mode (src/ingest/multiline.ts): a line the boundary
 * matches **in full** starts an event; other lines join the event before; lines before the first
 * boundary stand alone; blank-only events are dropped. Without a boundary every line is an event.
 * The grouped text then goes to the server as one message (json-lines framing), where the same
 * splitter's whole-message mode trims blank edges and cuts pieces over 64 KiB.
 */
import type { LinearRegex } from '../core/linear-regex.js';
import type { MultilineRule } from './config.js';

export interface GroupedEvent {
  text: string;
  /** Byte offset just past the event's last line (its newline included). */
  end: number;
}

function isBlank(line: string): boolean {
  return line.trim() === '';
}


export class EventGrouper {
  private readonly boundary: LinearRegex | undefined;
  private pending: { lines: string[]; bytes: number; start: number; end: number; lastAt: number } | undefined;
  private hasStarted = false;
  private isForcedStart = false;

  constructor(private readonly rule: MultilineRule) {
    this.boundary = rule?.boundary;
  }

  /**
   * Takes one complete line spanning bytes [start, end) of the file; returns the events it completes.
   */
  pushLine(line: string, start: number, end: number, now: number): GroupedEvent[] {
    if (this.boundary === undefined || this.rule === undefined) {
      return isBlank(line) ? [] : [{ text: line, end }];
    }
    // A boundary must match a whole line, as the server's boundary regex does.
    const isStart = this.isForcedStart || this.boundary.testWhole(line);
    this.isForcedStart = false;
    const out: GroupedEvent[] = [];
    if (isStart || this.pending === undefined) {
      this.flushTo(out);
      if (isBlank(line)) return out;
      if (!isStart && !this.hasStarted) {
        out.push({ text: line, end }); // nothing to join yet: the line stands alone
        return out;
      }
      this.hasStarted = true;
      this.pending = { lines: [line], bytes: Buffer.byteLength(line), start, end, lastAt: now };
    } else {
      this.pending.lines.push(line);
      this.pending.bytes += Buffer.byteLength(line) + 1;
      this.pending.end = end;
      this.pending.lastAt = now;
    }
    if (this.pending.bytes >= this.rule.maxBytes) {
      // Bounded memory: send what we have; the lines that follow form the next piece.
      this.flushTo(out);
      this.isForcedStart = true;
    }
    return out;
  }

  /** Completes a pending event that has waited longer than the rule's timeout. */
  flushIdle(now: number): GroupedEvent[] {
    if (this.pending === undefined || this.rule === undefined) return [];
    if (now - this.pending.lastAt < this.rule.timeoutMs) return [];
    const out: GroupedEvent[] = [];
    this.flushTo(out);
    return out;
  }

  /** Completes the pending event (end of a rotated file, a truncation). */
  flush(): GroupedEvent[] {
    const out: GroupedEvent[] = [];
    this.flushTo(out);
    return out;
  }

  /** Offset of the first byte of the event still being grouped; undefined when none. */
  get pendingStart(): number | undefined {
    return this.pending?.start;
  }

  /** Forgets everything (the file was truncated: offsets start again at 0). */
  reset(): void {
    this.pending = undefined;
    this.hasStarted = false;
    this.isForcedStart = false;
  }

  private flushTo(out: GroupedEvent[]): void {
    if (this.pending === undefined) return;
    const lines = this.pending.lines;
    while (lines.length > 1 && isBlank(lines[lines.length - 1]!)) lines.pop();
    out.push({ text: lines.join('\n'), end: this.pending.end });
    this.pending = undefined;
  }
}
