import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { AppError, ErrorCode } from '../core/errors.js';
import { ZstdBlockDecoder } from '../ingest/zstd-frames.js';

const GZIP_MAGIC = [0x1f, 0x8b];
const ZSTD_MAGIC = [0x28, 0xb5, 0x2f, 0xfd];

/** Local files are the user's own: any window a zstd frame declares is accepted (up to 2 GiB). */
const LOCAL_ZSTD_LIMITS = { maxWindowBytes: 2 ** 31, maxContentBytes: Number.MAX_SAFE_INTEGER };

const startsWith = (bytes: Buffer, magic: readonly number[]): boolean => magic.every((b, i) => bytes[i] === b);

/**
 * The text of a file or stdin whatever it is stored as: gzip (`.gz`, also several members one
 * after another) and zstd (`.zst`) are recognised by their first bytes, not by the name, and
 * decompressed as they are read; anything else is passed through. Damaged compressed data is an
 * error naming the input, never garbage lines.
 */
export function decodedInput(source: Readable, name: string): Readable {
  return Readable.from(decode(source, name), { objectMode: false });
}

async function* decode(source: Readable, name: string): AsyncGenerator<Buffer | Uint8Array> {
  const chunks = source[Symbol.asyncIterator]() as AsyncIterator<Buffer | string>;
  let head = Buffer.alloc(0);
  let ended = false;
  while (head.length < ZSTD_MAGIC.length) {
    const next = await chunks.next();
    if (next.done === true) {
      ended = true;
      break;
    }
    head = Buffer.concat([head, Buffer.from(next.value)]);
  }
  async function* raw(): AsyncGenerator<Buffer> {
    if (head.length > 0) yield head;
    while (!ended) {
      const next = await chunks.next();
      if (next.done === true) return;
      yield Buffer.from(next.value);
    }
  }
  const damaged = (kind: string, error: unknown): AppError =>
    new AppError(ErrorCode.BadRequest, `${name}: the ${kind} data is damaged or cut short (${(error as Error).message})`);

  if (startsWith(head, GZIP_MAGIC)) {
    const gunzip = createGunzip();
    const feeding = (async () => {
      try {
        for await (const chunk of raw()) if (!gunzip.write(chunk)) await new Promise((resolve) => gunzip.once('drain', resolve));
        gunzip.end();
      } catch (error) {
        gunzip.destroy(error as Error);
      }
    })();
    try {
      for await (const chunk of gunzip as AsyncIterable<Buffer>) yield chunk;
    } catch (error) {
      throw damaged('gzip', error);
    } finally {
      await feeding;
    }
    return;
  }
  if (startsWith(head, ZSTD_MAGIC)) {
    const out: Uint8Array[] = [];
    const decoder = new ZstdBlockDecoder(LOCAL_ZSTD_LIMITS, (data) => out.push(data.slice()));
    try {
      for await (const chunk of raw()) {
        await decoder.push(chunk);
        yield* out.splice(0);
      }
      decoder.finish();
    } catch (error) {
      throw damaged('zstd', error);
    }
    yield* out.splice(0);
    return;
  }
  yield* raw();
}
