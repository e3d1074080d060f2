#!/usr/bin/env bash
# The fuzz suite, one process per ingress group so they can run side by side (each prints its own table):
#   scripts/fuzz.sh [INPUTS] [SEED]     default 100000 inputs per ingress, seed 1
# Loopback only (Mosquitto on 127.0.0.1 when installed, else lam's embedded broker). Run from the repository root.
set -euo pipefail
INPUTS="${1:-100000}"
SEED="${2:-1}"
cd "$(dirname "$0")/.."
LAM=(npx tsx runtime/cli.ts)
[ -x dist/runtime/cli.js ] && [ "${LAM_FUZZ_TSX:-}" = "" ] && LAM=(node dist/runtime/cli.js)
mkdir -p out/fuzz
pids=()
for group in payload,mqtt,csv,params scenario mcap bag; do
  nice "${LAM[@]}" bench --only fuzz --no-pin --inputs "$INPUTS" --seed "$SEED" --ingress "$group" >"out/fuzz/${group//,/-}.txt" 2>"out/fuzz/${group//,/-}.log" &
  pids+=($!)
done
status=0
for p in "${pids[@]}"; do wait "$p" || status=1; done
cat out/fuzz/*.txt
exit $status
