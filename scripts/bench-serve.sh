#!/usr/bin/env bash
# bench-serve.sh: measure `callsim serve` against Stoplight Prism with one load generator, in one
# run: invites/s and p50/p99 with 64 concurrent clients on loopback (graphapi/bench_test.go).
# callsim keeps state and delivers every notification to a bot receiver (none may be lost);
# Prism mocks the one invite path of graphapi/testdata/invite-openapi.yaml.
# Usage: scripts/bench-serve.sh [INVITES]   (default 40000; needs Go, Node.js and npm)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-40000}
port=${PRISM_PORT:-4010}
work=$(mktemp -d)
prism_pid=
cleanup() { if [ -n "$prism_pid" ]; then kill "$prism_pid" 2>/dev/null || true; fi; rm -rf "$work"; }
trap cleanup EXIT

echo "== machine"
go version
grep -m1 'model name' /proc/cpuinfo | sed 's/.*: /cpu: /'
echo "cores: $(nproc)"
node --version | sed 's/^/node: /'

echo "== installing Stoplight Prism into $work"
npm install --prefix "$work" --no-audit --no-fund --silent @stoplight/prism-cli@5 >/dev/null
"$work/node_modules/.bin/prism" --version | sed 's/^/prism: /'
"$work/node_modules/.bin/prism" mock -h 127.0.0.1 -p "$port" graphapi/testdata/invite-openapi.yaml >"$work/prism.log" 2>&1 &
prism_pid=$!
for _ in $(seq 100); do
  if grep -q 'Prism is listening' "$work/prism.log"; then break; fi
  sleep 0.2
done
grep -q 'Prism is listening' "$work/prism.log" || { cat "$work/prism.log"; exit 1; }

go test -c -o "$work/graphapi.test" ./graphapi
run() { (cd graphapi && "$work/graphapi.test" -test.run '^$' -test.benchtime "${n}x" -test.count 1 -test.bench "$@"); }
echo "== load: $n invites, 64 clients"
echo "-- callsim, defaults (one notification per POST, one POST at a time per callback)"
run 'ServeInvite'
echo "-- callsim, --batch 16 --callback-concurrency 8"
CALLSIM_BENCH_BATCH=16 CALLSIM_BENCH_CONCURRENCY=8 run 'ServeInvite'
echo "-- Prism, then the bare net/http floor"
CALLSIM_PRISM_URL="http://127.0.0.1:$port" run 'PrismInvite|HTTPFloor'
