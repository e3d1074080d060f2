#!/usr/bin/env bash
# Mutation testing (StrykerJS + its Vitest runner) of the pure folders; slow, so not part of npm test or CI.
# Usage: scripts/mutation.sh [path...]   default: policy perception. A path is a folder or one .ts file.
# Writes reports/mutation/mutation.{json,html} and reports/mutation/summary.md (score per folder, every surviving
# mutant). Incremental: reports/mutation/stryker-incremental.json lets a re-run test only what changed.
# LAM_MUTATION_CONCURRENCY (default 2) sets Stryker's worker count.
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$#" -gt 0 ] || set -- policy perception
globs=()
for p in "$@"; do
  p="${p%/}"
  if [ -d "$p" ]; then globs+=("$p/**/*.ts"); elif [ -f "$p" ]; then globs+=("$p"); else echo "mutation.sh: no such folder or file: $p" >&2; exit 2; fi
done
mutate="$(IFS=,; echo "${globs[*]}"),!**/index.ts,!**/*.d.ts"
mkdir -p reports/mutation
echo "stryker: mutating $mutate"
status=0
# Through the API, not `npx stryker run`: the CLI refuses Node < 22 (see scripts/mutation-run.mjs).
nice -n 10 node scripts/mutation-run.mjs "$mutate" "${LAM_MUTATION_CONCURRENCY:-2}" || status=$?
node scripts/mutation-summary.mjs reports/mutation/mutation.json reports/mutation/summary.md "$@"
exit "$status"
