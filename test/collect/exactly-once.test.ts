import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, copyFileSync, existsSync, mkdirSync, renameSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { CollectorHealth } from '../../src/collect/collector.js';
import { createSource, freePort, repoRoot, spawnServer, startTestServer, tempDir, waitFor, type ChildServer } from '../support/server.js';
import { storeReader } from '../support/store-reader.js';

/**
 * The collector and the server are killed with SIGKILL at random moments, several times, while
 * files grow and rotate (rename, copytruncate, a new file matching the glob). At the end the
 * server must hold every line exactly once.
 */

interface ChildCollector {
  process: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

function spawnCollector(configPath: string, healthPort: number): ChildCollector {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(repoRoot, 'src/cli/main.ts'), 'collect', '--config', configPath, '--health-port', String(healthPort)],
    { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  return { process: child, output: () => output, exited };
}

async function health(port: number): Promise<CollectorHealth | undefined> {
  try {
    return (await (await fetch(`http://127.0.0.1:${port}/healthz`)).json()) as CollectorHealth;
  } catch {
    return undefined;
  }
}

/** A seeded PRNG so a failing run can be repeated (the seed is printed). */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('quarry collect: exactly once across kill -9 of collector and server', () => {
  const children: ChildProcess[] = [];
  afterAll(async () => {
    const running = children.filter((child) => child.exitCode === null && child.signalCode === null);
    const exited = running.map((child) => new Promise((resolve) => child.once('exit', resolve)));
    for (const child of running) child.kill('SIGKILL');
    // Their directories (tempDir) are deleted when the file ends, once nothing writes to them.
    await Promise.all(exited);
  });

  it('delivers every line once while files grow and rotate and both sides crash', { timeout: 150_000 }, async (context) => {
    let lastCollectorOutput = (): string => '';
    context.onTestFailed(() => {
      console.log(`collector output (last 6000 chars):\n${lastCollectorOutput().slice(-6000)}`);
    });
    const seed = Number(process.env.COLLECT_SEED ?? Date.now() % 100_000);
    const random = prng(seed);
    console.log(`exactly-once chaos seed: ${seed} (COLLECT_SEED=${seed} repeats it)`);
    const dir = tempDir('quarry-collect-e2e-');
    const logs = join(dir, 'logs');
    const dataDir = join(dir, 'data');
    const port = await freePort();
    const healthPort = await freePort();
    const env = { QUARRY_SELF_LOGS: 'false' };
    let server: ChildServer | undefined = await spawnServer({ dataDir, port, env });
    children.push(server.process);
    const source = await createSource(server.url, { name: 'collected', category: 'collect/e2e', multiline: false });

    const configPath = join(dir, 'collector.yaml');
    writeFileSync(
      configPath,
      [
        `server: {url: "${server.url}", token: "${source.token}", timeoutMs: 5000}`,
        'stateDir: state',
        'pollIntervalMs: 50',
        'scanIntervalMs: 200',
        'rotatedGraceMs: 300',
        'batch: {maxMessages: 150, maxAgeMs: 200}',
        'retry: {initialMs: 100, maxMs: 800}',
        'shutdownTimeoutMs: 30000',
        'files:',
        '  - path: logs/a.log',
        '  - path: logs/b.log',
        "    multiline: {boundary: '\\d{4}-\\d{2}-\\d{2} .*', timeoutMs: 150}",
        '  - path: logs/c*.log',
        '',
      ].join('\n'),
    );
    mkdirSync(logs);
    const aPath = join(logs, 'a.log');
    const bPath = join(logs, 'b.log');

    const expected: string[] = [];
    let aSeq = 0;
    let bSeq = 0;
    let cSeq = 0;
    const writeA = (n: number) => {
      let text = '';
      for (let i = 0; i < n; i++) {
        const line = `A ${String(++aSeq).padStart(6, '0')} ${'a'.repeat(Math.floor(random() * 80))}`;
        expected.push(line);
        text += `${line}\n`;
      }
      appendFileSync(aPath, text);
    };
    const writeB = () => {
      const event = `2026-03-01 12:00:00 B ${String(++bSeq).padStart(6, '0')} failed\n\tat one(X.java:1)\n\tat two(Y.java:2)`;
      expected.push(event);
      appendFileSync(bPath, `${event}\n`);
    };
    const writeC = (name: string, n: number) => {
      let text = '';
      for (let i = 0; i < n; i++) {
        const line = `C ${name} ${String(++cSeq).padStart(6, '0')}`;
        expected.push(line);
        text += `${line}\n`;
      }
      appendFileSync(join(logs, name), text);
    };
    writeA(50);
    writeB();

    let collector: ChildCollector | undefined = spawnCollector(configPath, healthPort);
    children.push(collector.process);
    lastCollectorOutput = collector.output;

    // The writers: a.log steadily, b.log events (paused around its copytruncate).
    let isWriting = true;
    let isBPaused = false;
    const writer = (async () => {
      while (isWriting) {
        writeA(1 + Math.floor(random() * 4));
        if (!isBPaused && random() < 0.5) writeB();
        await new Promise((r) => setTimeout(r, 15 + random() * 25));
      }
    })();

    const followed = async (path: string): Promise<CollectorHealth['files'][number] | undefined> => {
      const h = await health(healthPort);
      const key = existsSync(path) ? `${statSync(path).dev}:${statSync(path).ino}` : '';
      return h?.files.find((f) => f.key === key);
    };
    let rotations = 0;
    const rotateA = async () => {
      // Only rotate a file the collector has seen: a file created and rotated away while it is
      // down is invisible to any tailer that follows paths.
      if (collector === undefined || !(await followed(aPath))) return;
      renameSync(aPath, join(logs, `a.log.${++rotations}`));
      writeA(3);
    };
    const copytruncateB = async () => {
      if (collector === undefined) return;
      isBPaused = true;
      try {
        // copytruncate loses what the collector has not read yet; wait until the server has it all.
        await waitFor(
          async () => {
            const f = await followed(bPath);
            return f !== undefined && f.ackedOffset === statSync(bPath).size;
          },
          30_000,
          'b.log acknowledged before copytruncate',
        );
        copyFileSync(bPath, join(logs, `b.log.${++rotations}`));
        truncateSync(bPath, 0);
      } finally {
        isBPaused = false;
      }
    };

    let collectorKills = 0;
    let serverKills = 0;
    const kinds = ['collector', 'server', 'both', 'collector', 'collector', 'rotate', 'truncate'] as const;
    const order = [...kinds].sort(() => random() - 0.5);
    for (const [i, action] of order.entries()) {
      await new Promise((r) => setTimeout(r, 300 + random() * 1000));
      if (i === 3) writeC('c1.log', 200); // a new file matching the glob while running
      if (action === 'rotate') {
        await rotateA();
        continue;
      }
      if (action === 'truncate') {
        await copytruncateB();
        continue;
      }
      if (action === 'collector' || action === 'both') {
        collector.process.kill('SIGKILL');
        await collector.exited;
        collector = undefined;
        collectorKills++;
      }
      if (action === 'server' || action === 'both') {
        server.process.kill('SIGKILL');
        await server.exited;
        server = undefined;
        serverKills++;
      }
      // Files keep growing while a side is down.
      await new Promise((r) => setTimeout(r, 200 + random() * 600));
      if (server === undefined) {
        server = await spawnServer({ dataDir, port, env });
        children.push(server.process);
      }
      if (collector === undefined) {
        collector = spawnCollector(configPath, healthPort);
      children.push(collector.process);
        children.push(collector.process);
        lastCollectorOutput = collector.output;
        await waitFor(async () => (await health(healthPort)) !== undefined, 20_000, 'collector health');
        await rotateA(); // rotations right after a restart, too
      }
    }
    isWriting = false;
    await writer;
    writeC('c2.log', 20);
    expect(collectorKills).toBe(4);
    expect(serverKills).toBe(2);

    const reader = storeReader(server.url);
    const total = expected.length;
    await waitFor(async () => (await reader.count('category=collect/e2e')) >= total, 40_000, `${total} messages stored`).catch(
      async (error: unknown) => {
        console.log(collector?.output().slice(-4000));
        console.log(`stored ${await reader.count('category=collect/e2e')} of ${total}`);
        throw error;
      },
    );
    // Give a duplicate time to show up, then compare line by line.
    await waitFor(async () => (await health(healthPort))?.buffer.batches === 0, 20_000, 'spool empty');
    const stored = (await reader.ofSource('collected', 10_000)).map((m) => m._raw);
    const seen = new Map<string, number>();
    for (const raw of stored) seen.set(raw, (seen.get(raw) ?? 0) + 1);
    const missing = expected.filter((line) => !seen.has(line));
    const duplicated = [...seen].filter(([, n]) => n > 1).map(([line]) => line);
    const unexpected = [...seen.keys()].filter((line) => !expected.includes(line));
    expect({ missing: missing.slice(0, 5), duplicated: duplicated.slice(0, 5), unexpected: unexpected.slice(0, 5) }).toEqual({
      missing: [],
      duplicated: [],
      unexpected: [],
    });
    expect(stored.length).toBe(total);
    expect(await reader.count('category=collect/e2e')).toBe(total);

    // SIGTERM: flushes and exits 0.
    writeA(5);
    const finalTotal = total + 5;
    await waitFor(async () => (await followed(aPath))?.offset === statSync(aPath).size, 10_000, 'last lines read');
    collector.process.kill('SIGTERM');
    expect(await collector.exited).toBe(0);
    expect(await reader.count('category=collect/e2e')).toBe(finalTotal);
    console.log(
      `exactly-once: ${finalTotal} messages, ${collectorKills} collector kills, ${serverKills} server kills, ${rotations} rotations`,
    );
  });
  it('after a kill -9, finds a file rotated away while it was down and reads a truncated one from its start', { timeout: 60_000 }, async () => {
    const server = await startTestServer({ 'ingest.flushIntervalMs': 10 });
    try {
      const source = await createSource(server.url, { name: 'down', category: 'collect/down', multiline: false });
      const dir = tempDir('quarry-collect-down-');
      mkdirSync(join(dir, 'logs'));
      const healthPort = await freePort();
      const configPath = join(dir, 'collector.yaml');
      writeFileSync(
        configPath,
        [
          `server: {url: "${server.url}", token: "${source.token}"}`,
          'stateDir: state',
          'pollIntervalMs: 50',
          'scanIntervalMs: 200',
          'rotatedGraceMs: 200',
          'batch: {maxAgeMs: 100}',
          'files:',
          '  - path: logs/*.log',
          '',
        ].join('\n'),
      );
      const a = join(dir, 'logs', 'a.log');
      const b = join(dir, 'logs', 'b.log');
      writeFileSync(a, 'a1\na2\n');
      writeFileSync(b, 'b1 long enough to be longer than what replaces it\nb2\n');
      let collector = spawnCollector(configPath, healthPort);
      children.push(collector.process);
      const acked = async (n: number) => (await health(healthPort))?.acked.messages === n;
      await waitFor(() => acked(4), 20_000, 'first lines acknowledged');
      collector.process.kill('SIGKILL');
      await collector.exited;

      // While the collector is down: a.log is rotated by rename (and its writer adds a last line to
      // the old file), a new a.log starts; b.log is truncated and rewritten shorter.
      renameSync(a, join(dir, 'logs', 'a.log.1'));
      appendFileSync(join(dir, 'logs', 'a.log.1'), 'a3 (late, in the rotated file)\n');
      writeFileSync(a, 'a4 (new file)\n');
      truncateSync(b, 0);
      appendFileSync(b, 'b3\n');

      collector = spawnCollector(configPath, healthPort);
      children.push(collector.process);
      const reader = storeReader(server.url);
      await waitFor(async () => (await reader.count('category=collect/down')) >= 7, 20_000, 'all lines stored');
      await waitFor(async () => (await health(healthPort))?.buffer.batches === 0, 10_000, 'spool empty');
      const stored = (await reader.ofSource('down')).map((m) => m._raw).sort();
      expect(stored).toEqual(
        ['a1', 'a2', 'a3 (late, in the rotated file)', 'a4 (new file)', 'b1 long enough to be longer than what replaces it', 'b2', 'b3'].sort(),
      );
      // The rotated file was read to its end and closed.
      await waitFor(async () => (await health(healthPort))?.filesWatched === 2, 10_000, 'rotated file closed');
      collector.process.kill('SIGTERM');
      expect(await collector.exited).toBe(0);
      expect(collector.output()).toContain('found a file rotated while the collector was away');
      expect(collector.output()).toContain('truncated or replaced while the collector was away');
    } finally {
      await server.close();
    }
  });
  it('finds a file it had followed but sent nothing of, rotated away while it was killed', { timeout: 60_000 }, async () => {
    const server = await startTestServer({ 'ingest.flushIntervalMs': 10 });
    try {
      const source = await createSource(server.url, { name: 'unsent', category: 'collect/unsent', multiline: false });
      const dir = tempDir('quarry-collect-unsent-');
      mkdirSync(join(dir, 'logs'));
      const healthPort = await freePort();
      const configPath = join(dir, 'collector.yaml');
      const write = (maxAgeMs: number) =>
        writeFileSync(
          configPath,
          [
            `server: {url: "${server.url}", token: "${source.token}"}`,
            'stateDir: state',
            'pollIntervalMs: 50',
            'rotatedGraceMs: 200',
            // No batch is sealed before the kill: nothing of the file is spooled or checkpointed.
            `batch: {maxAgeMs: ${maxAgeMs}}`,
            'files:',
            '  - path: logs/app.log',
            '',
          ].join('\n'),
        );
      write(600_000);
      const app = join(dir, 'logs', 'app.log');
      writeFileSync(app, 'u1\nu2\n');
      let collector = spawnCollector(configPath, healthPort);
      children.push(collector.process);
      await waitFor(async () => (await health(healthPort))?.files[0]?.offset === 6, 20_000, 'file read');
      collector.process.kill('SIGKILL');
      await collector.exited;
      renameSync(app, join(dir, 'logs', 'app.log.1'));
      writeFileSync(app, 'u3\n');
      write(100);
      collector = spawnCollector(configPath, healthPort);
      children.push(collector.process);
      const reader = storeReader(server.url);
      await waitFor(async () => (await reader.count('category=collect/unsent')) >= 3, 20_000, 'all lines stored');
      collector.process.kill('SIGTERM');
      expect(await collector.exited).toBe(0);
      expect((await reader.ofSource('unsent')).map((m) => m._raw).sort()).toEqual(['u1', 'u2', 'u3']);
    } finally {
      await server.close();
    }
  });
});
