// Micro benchmark for detectTimestamp: lines/s on the Elastic Apache access log, repeated.
// Usage: node --import tsx bench/timestamp.ts [--seconds 3]
// Not part of the test suite. The baseline is a plain `new Date(regex match)` parse of the same
// lines in the same process, so the ratio is comparable across machines.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { detectTimestamp } from '../src/core/timestamp.js';

const DATA = fileURLToPath(new URL('../../shared/data/', import.meta.url));
const secondsArg = process.argv.indexOf('--seconds');
const seconds = secondsArg >= 0 ? Number(process.argv[secondsArg + 1]) : 3;

const samples: Record<string, string[]> = {
  'apache (clf)': readFileSync(`${DATA}http-access/elastic-apache/apache_logs`, 'utf8')
    .split('\n')
    .filter(Boolean),
  'syslog (rfc3164)': readFileSync(`${DATA}syslog/beats-system/auth-test.log`, 'utf8')
    .split('\n')
    .filter(Boolean),
  'nginx plus (json, long lines)': readFileSync(
    `${DATA}http-access/elastic-nginxplus-json/nginxplus_json_logs`,
    'utf8',
  )
    .split('\n')
    .filter(Boolean),
  'no timestamp': Array.from({ length: 1000 }, (_, i) => `user ${i} logged in from 10.0.0.${i % 255} ok`),
};

const CLF = /(\d{2})\/(\w{3})\/(\d{4}):(\d{2}):(\d{2}):(\d{2}) ([+-]\d{4})/;

function measure(lines: string[], fn: (line: string) => unknown): number {
  let n = 0;
  let sink = 0;
  const deadline = performance.now() + seconds * 1000;
  const started = performance.now();
  while (performance.now() < deadline) {
    for (const line of lines) {
      if (fn(line) !== undefined) sink++;
    }
    n += lines.length;
  }
  const elapsed = (performance.now() - started) / 1000;
  if (sink < 0) console.log(sink);
  return n / elapsed;
}

const fmt = (x: number): string => Math.round(x).toLocaleString('en-US');
const opts = { referenceTime: Date.now() };

// Warm up the JIT before measuring.
for (const lines of Object.values(samples)) for (const l of lines.slice(0, 2000)) detectTimestamp(l, opts);

const baseline = measure(samples['apache (clf)']!, (line) => {
  const m = CLF.exec(line);
  return m === null ? undefined : new Date(`${m[3]}-05-${m[1]}T${m[4]}:${m[5]}:${m[6]}${m[7]}`).getTime();
});
console.log(`baseline regex+Date on apache: ${fmt(baseline)} lines/s`);
for (const [name, lines] of Object.entries(samples)) {
  const rate = measure(lines, (line) => detectTimestamp(line, opts));
  console.log(`detectTimestamp ${name}: ${fmt(rate)} lines/s (${(rate / baseline).toFixed(2)}x baseline)`);
}
const customOpts = { ...opts, format: 'dd/MMM/yyyy:HH:mm:ss Z' };
const custom = measure(samples['apache (clf)']!, (line) => detectTimestamp(line, customOpts));
console.log(
  `detectTimestamp apache with format override: ${fmt(custom)} lines/s (${(custom / baseline).toFixed(2)}x baseline)`,
);
