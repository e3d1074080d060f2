#!/usr/bin/env bash
# Runs every property suite (each test file using fast-check) N times, each run with a fresh random seed, and
# reports failures with the seed that reproduces them: LAM_FC_SEED=<seed> npx vitest run <file>.
# Not part of `npm test` (which uses the fixed seed in test/support/fc-seed.ts). Usage: scripts/property-seeds.sh N [file...]
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-20}"
shift || true
if [ "$#" -gt 0 ]; then files=("$@"); else mapfile -t files < <(grep -rlE "from \"fast-check\"" test --include='*.test.ts' | sort); fi
echo "property suites (${#files[@]}): ${files[*]}"
exec nice -n 10 node scripts/property-seeds.mjs "$n" "${files[@]}"
