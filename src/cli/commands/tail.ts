import type { Command } from 'commander';
import { AppError, ErrorCode } from '../../core/errors.js';
import { parseFormat, writeOut } from '../output.js';
import { resolveRemote, withRemoteOptions, type RemoteOptions } from '../remote.js';

interface TailFlags extends RemoteOptions {
  format: string;
  tz: string;
}

/** `quarry tail`: live tail of a server, one line per message (or NDJSON). */
export function registerTailCommand(program: Command): void {
  const command = program
    .command('tail')
    .description('follow messages as they arrive on a Quarry server (live tail)')
    .argument('[query]', 'scope and per-message operators', '*')
    .option('--format <format>', 'table (the raw message) | ndjson | json', 'table')
    .option('--tz <zone>', 'time zone for date functions', 'UTC');
  withRemoteOptions(command)
    .action(async (query: string, flags: TailFlags) => {
      const format = parseFormat(flags.format);
      const remote = resolveRemote(flags, process.env);
      const abort = new AbortController();
      process.once('SIGINT', () => abort.abort());
      let response: Response;
      try {
        response = await fetch(
          `${remote.baseUrl}/api/v1/livetail?query=${encodeURIComponent(query)}&timeZone=${encodeURIComponent(flags.tz)}`,
          { headers: { authorization: remote.authorization }, signal: abort.signal },
        );
      } catch (error) {
        throw new AppError(ErrorCode.Unavailable, `cannot reach ${remote.baseUrl}: ${(error as Error).message}`);
      }
      if (!response.ok || !response.body) {
        const body = (await response.json().catch(() => ({}))) as { message?: string };
        throw new AppError(response.status === 401 ? ErrorCode.Unauthorized : ErrorCode.BadRequest, body.message ?? `HTTP ${response.status}`);
      }
      process.stderr.write(`tailing ${remote.baseUrl} (Ctrl-C to stop)\n`);
      const decoder = new TextDecoder();
      let buffer = '';
      try {
        for await (const chunk of response.body) {
          buffer += decoder.decode(chunk as Uint8Array, { stream: true });
          let end: number;
          while ((end = buffer.indexOf('\n\n')) !== -1) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            if (!block.startsWith('event: messages')) continue;
            const data = /^data: (.*)$/m.exec(block)?.[1];
            if (!data) continue;
            const { messages } = JSON.parse(data) as { messages: Record<string, unknown>[] };
            const text = messages
              .map((m) => (format === 'table' ? (typeof m._raw === 'string' ? m._raw : '') : JSON.stringify(m)))
              .join('\n');
            if (text) await writeOut(process.stdout, `${text}\n`);
          }
        }
      } catch (error) {
        if (!abort.signal.aborted) throw error;
      }
    });
}
