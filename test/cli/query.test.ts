/**
 * End-to-end tests of `quarry query`: a real child process reading files and stdin. Uses
 * src/cli/main.ts once it registers the command, otherwise a minimal program with only
 * `registerQueryCommand` (same code path, same exit codes).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { gzipSync } from 'node:zlib';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const MAIN = join(ROOT, 'src/cli/main.ts');
const mainHasQuery = readFileSync(MAIN, 'utf8').includes('registerQueryCommand');
const HARNESS = `
import { Command } from 'commander';
import { registerQueryCommand } from './src/cli/commands/query.ts';
const program = new Command('quarry').exitOverride();
registerQueryCommand(program);
try { await program.parseAsync(process.argv); } catch (e) { process.exitCode = e.exitCode === 0 ? 0 : 1; }
`;

function quarry(args: string[], stdin?: string | Buffer): { code: number | null; stdout: string; stderr: string } {
  const argv = mainHasQuery
    ? ['--import', 'tsx', MAIN, 'query', ...args]
    : ['--import', 'tsx', '--input-type=module', '-e', HARNESS, 'quarry', 'query', ...args];
  const r = spawnSync(process.execPath, argv, { cwd: ROOT, input: stdin ?? '', encoding: 'utf8', env: { ...process.env, TZ: 'UTC' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const dir = mkdtempSync(join(tmpdir(), 'quarry-query-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const LOG = join(dir, 'app.log');
writeFileSync(
  LOG,
  [
    '2024-01-01T00:00:05Z ERROR login failed user=ann',
    '2024-01-01T00:00:20Z INFO login ok user=bob',
    '2024-01-01T00:01:10Z ERROR login failed user=ann',
    '2024-01-01T00:02:00Z ERROR disk full host=db1',
  ].join('\n') + '\n',
);
const APACHE = resolve(ROOT, '../shared/data/http-access/elastic-apache/apache_logs');

describe('quarry query', { timeout: 60_000 }, () => {
  it('reads gzip and zstd files (and stdin) by their first bytes, and names a damaged one', () => {
    const text = readFileSync(LOG);
    const gz = join(dir, 'app.log.1.gz');
    // Two gzip members one after the other, as logrotate's appends and `cat a.gz b.gz` make.
    writeFileSync(gz, Buffer.concat([gzipSync(text.subarray(0, 90)), gzipSync(text.subarray(90))]));
    const zst = join(dir, 'rotated');
    writeFileSync(zst, execFileSync('zstd', ['-3', '-c', '-q'], { input: text }));
    for (const args of [[gz], [zst]]) {
      const r = quarry(['--format', 'ndjson', 'error | count by _sourceName', ...args]);
      expect(r.stderr).toBe('');
      expect(r.stdout.trim().split('\n').map((l) => JSON.parse(l) as unknown)).toEqual([{ _sourceName: args[0], _count: 3 }]);
    }
    const piped = quarry(['--format', 'ndjson', 'error | count'], gzipSync(text));
    expect(piped.stdout.trim()).toBe('{"_count":3}');
    const cut = join(dir, 'cut.gz');
    writeFileSync(cut, gzipSync(Buffer.from('x'.repeat(100_000))).subarray(0, 60));
    const damaged = quarry(['error | count', cut]);
    expect(damaged.code).toBe(1);
    expect(damaged.stderr).toContain(`${cut}: the gzip data is damaged or cut short`);
  });

  it('aggregates a file and prints a table', () => {
    const r = quarry(['error | parse "user=*" as user | count by user', LOG]);
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')[0]).toMatch(/^user\s+_count$/);
    expect(r.stdout).toMatch(/ann\s+2/);
  });

  it('prints ndjson with the field names as written, _messageTime from the detected timestamp', () => {
    const r = quarry(['--format', 'ndjson', 'error login | parse "user=*" as UserName', LOG]);
    expect(r.code).toBe(0);
    const rows = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(rows.map((x) => x.UserName)).toEqual(['ann', 'ann']);
    expect(rows[0]?._messageTime).toBe(Date.parse('2024-01-01T00:00:05Z'));
    expect(rows[0]?._sourceName).toBe(LOG);
  });

  it('reads stdin and writes csv; timeslice uses --tz', () => {
    const text = readFileSync(LOG, 'utf8');
    const r = quarry(['--format', 'csv', '--tz', 'Asia/Kolkata', '| timeslice 1h | count by _timeslice'], text);
    expect(r.code).toBe(0);
    // 00:00Z is 05:30 in Kolkata; the 1h bucket starts at 05:00 local.
    expect(r.stdout).toBe('_timeslice,_count\n2024-01-01T05:00:00.000+05:30,4\n');
  });

  it('filters by --from/--to and sorts descending by default', () => {
    const r = quarry(['--format', 'json', '--from', '2024-01-01T00:00:10Z', '--to', '2024-01-01T00:02:00Z', '| parse "user=*" as user | sort by user'], readFileSync(LOG, 'utf8'));
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as { user: string }[]).map((x) => x.user)).toEqual(['bob', 'ann']);
  });

  it('compare with timeshift re-reads the files for the earlier range', () => {
    const file = join(dir, 'two-hours.log');
    writeFileSync(file, ['2024-01-01T00:10:00Z a', '2024-01-01T00:20:00Z b', '2024-01-01T01:10:00Z c'].join('\n') + '\n');
    const r = quarry(['--format', 'ndjson', '--from', '2024-01-01T01:00:00Z', '--to', '2024-01-01T02:00:00Z', '| count | compare timeshift 1h', file]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout.trim())).toEqual({ _count: 1, _count_1h: 2 });
  });

  it('groups multiline messages', () => {
    const r = quarry(['--format', 'ndjson', '--multiline', '^\\d{4}-', '| count'], '2024-01-01 a\n  at x\n  at y\n2024-01-01 b\n');
    expect(JSON.parse(r.stdout.trim())).toEqual({ _count: 2 });
  });

  it('prints diagnostics with a caret and exits 1 for an invalid query', () => {
    const r = quarry(['| parse "a=* as a', LOG]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('| parse "a=* as a');
    expect(r.stderr).toMatch(/\^~*/);
  });

  it('--check: 0 valid, 3 unsupported (named), 1 invalid, JSON diagnostics', () => {
    expect(quarry(['--check', 'error | count by _sourceHost']).code).toBe(0);
    const unsupported = quarry(['--check', '--format', 'json', '* | lookup a from path://"/x" on a=a']);
    expect(unsupported.code).toBe(3);
    const body = JSON.parse(unsupported.stdout) as { valid: boolean; unsupported: string[] };
    expect(body.valid).toBe(true);
    expect(body.unsupported).toEqual(['lookup']);
    const invalid = quarry(['--check', '--format', 'json', '| where']);
    expect(invalid.code).toBe(1);
    expect((JSON.parse(invalid.stdout) as { valid: boolean }).valid).toBe(false);
  });

  it('top N f by count / by _count prints the counted groups, not messages; --check refuses what top cannot rank by', () => {
    const issue = '* | parse "\\"* * HTTP/*\\" * " as method, url, ver, status | top 3 url by _count';
    for (const query of [issue, issue.replace('by _count', 'by count'), issue.replace(' by _count', '')]) {
      const r = quarry(['--format', 'ndjson', query, APACHE]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout.trim().split('\n').map((l) => JSON.parse(l) as unknown)).toEqual([
        { url: '/favicon.ico', _count: 807 },
        { url: '/style2.css', _count: 546 },
        { url: '/reset.css', _count: 538 },
      ]);
    }
    expect(quarry(['--check', issue]).code).toBe(0);
    const invalid = quarry(['--check', issue.replace('by _count', 'by _count, status')]);
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toContain('status is not a listed field (list it: top 3 url, status by count)');
  });

  it('stops quietly when the reader goes away (| head)', () => {
    const r = spawnSync('bash', ['-c', `node --import tsx ${MAIN} query '*' ${APACHE} | head -1 >/dev/null; echo "\${PIPESTATUS[0]}"`], { cwd: ROOT, encoding: 'utf8' });
    if (!mainHasQuery) return;
    expect(r.stdout.trim()).toBe('0');
    expect(r.stderr).not.toContain('EPIPE');
  });

  it('runs over the Apache sample (10,000 lines)', () => {
    const r = quarry(['--format', 'ndjson', '| parse regex "\\" (?<status>\\d{3}) " | count by status | sort by _count | limit 1', APACHE]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout.trim())).toEqual({ status: '200', _count: 9126 });
  });
});
