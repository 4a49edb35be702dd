#!/usr/bin/env bash
# The full test suite: installs the system packages tests need (when missing), then build, typecheck,
# lint and every vitest test. Used by the README's test command and by CI (.ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v zstd >/dev/null 2>&1 || need+=(zstd)
[ -x /usr/bin/chromium ] || need+=(chromium)   # the web UI's end-to-end tests (test/e2e)
# The MetaStore's PostgreSQL adapter: its tests start throwaway clusters (test/support/postgres.ts).
compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || need+=(postgresql)
# The ClickHouse server adapter: its tests start throwaway 18.16 servers (test/support/clickhouse.ts).
[ -x /usr/sbin/clickhouse-server ] || need+=(clickhouse-server clickhouse-client)
# The scale-out deployment's load balancer (test/support/haproxy.ts).
[ -x /usr/sbin/haproxy ] || need+=(haproxy)
if [ ${#need[@]} -gt 0 ]; then
  echo "test: installing system packages: ${need[*]}"
  sudo_cmd=()
  [ "$(id -u)" = 0 ] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq "${need[@]}" >/dev/null
  # Tests start their own servers: no ClickHouse system service left running on the shared cores.
  if [[ " ${need[*]} " == *" clickhouse-server "* ]]; then
    "${sudo_cmd[@]}" systemctl disable --now clickhouse-server >/dev/null 2>&1 ||
      "${sudo_cmd[@]}" service clickhouse-server stop >/dev/null 2>&1 || true
  fi
  if [[ " ${need[*]} " == *" haproxy "* ]]; then
    "${sudo_cmd[@]}" systemctl disable --now haproxy >/dev/null 2>&1 ||
      "${sudo_cmd[@]}" service haproxy stop >/dev/null 2>&1 || true
  fi
fi

echo "test: build"; npm run --silent build
echo "test: typecheck"; npm run --silent typecheck
echo "test: lint"; npm run --silent lint

mkdir -p test-results
status=0
npx vitest run --reporter=default --reporter=json --outputFile.json=test-results/vitest.json "$@" || status=$?
if [ -f test-results/vitest.json ]; then
  node -e '
    const r = require("./test-results/vitest.json");
    console.log(`${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests + r.numTodoTests} skipped`);
  '
fi
exit $status
