/**
 * `npm run deploy:local`: a scale-out Quarry on this machine, to try it or to see how the parts fit
 * (docs/scale-out.md): PostgreSQL, a ClickHouse cluster, receivers, query nodes and an alerting
 * node as separate processes, HAProxy in front. Everything lives in temporary directories on
 * loopback and is removed on Ctrl-C. Needs Debian's postgresql, clickhouse-server and haproxy
 * packages (scripts/test.sh installs them).
 */
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { maskConnectionUrl } from '../src/core/connection-url.js';
import { startLocalDeployment } from '../test/support/deployment.js';

const USAGE = `usage: npm run deploy:local -- [--receivers N] [--queries N] [--alerting N] [--shards N]

Starts PostgreSQL, N ClickHouse shards (default 2), Quarry receivers (2), query nodes (1),
alerting nodes (1) and HAProxy in front of them, all on 127.0.0.1; Ctrl-C stops and removes
everything.`;

function count(value: string | undefined, name: string, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > 16) {
    console.error(`--${name} must be a whole number from ${min} to 16, got "${value}"\n\n${USAGE}`);
    process.exit(2);
  }
  return n;
}

const { values } = parseArgs({
  options: {
    receivers: { type: 'string' },
    queries: { type: 'string' },
    alerting: { type: 'string' },
    shards: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
  strict: true,
});
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}

const password = randomBytes(12).toString('base64url');
const started = Date.now();
const deployment = await startLocalDeployment({
  receivers: count(values.receivers, 'receivers', 2, 1),
  queries: count(values.queries, 'queries', 1, 1),
  alerting: count(values.alerting, 'alerting', 1, 0),
  shards: count(values.shards, 'shards', 2, 1),
  env: { QUARRY_ADMIN_PASSWORD: password, QUARRY_LOG_LEVEL: 'warn' },
  progress: (step) => console.log(`starting ${step} …`),
});

console.log(`
Quarry is running at ${deployment.url} (HAProxy), started in ${((Date.now() - started) / 1000).toFixed(1)} s
  sign in as admin, password: ${password}
  metadata: ${maskConnectionUrl(deployment.metaUrl)}
  logs:     ${maskConnectionUrl(deployment.storeUrl)}
  HAProxy configuration: ${deployment.haproxy.configPath}
  nodes:
${deployment.nodes.map((n) => `    ${n.name.padEnd(12)} ${n.url}  --assemblies ${n.assemblies}`).join('\n')}

Send logs:   curl -u admin:${password} -X POST ${deployment.url}/api/v1/sources -H 'content-type: application/json' -d '{"name":"app"}'
             then POST lines to the "url" it answers with.
Ctrl-C stops everything and removes its data.`);

let stopping = false;
const stop = async (): Promise<void> => {
  if (stopping) return;
  stopping = true;
  console.log('\nstopping …');
  await deployment.stop();
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
