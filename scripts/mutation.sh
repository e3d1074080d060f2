#!/usr/bin/env bash
# Mutation testing (StrykerJS + its Vitest runner) of the pure folders; slow, so not part of npm test or CI.
# Usage: scripts/mutation.sh [path...]   default: policy perception. A path is a folder or one .ts file.
# Stryker runs once per source file (so an interrupted session keeps what it finished), each writing
# reports/mutation/files/<file>.json (+ .html, + .incremental.json: a re-run tests only what changed); then
# reports/mutation/summary.md gets the score per folder and every surviving mutant of the paths given.
# LAM_MUTATION_RECHECK=1: for each file, run Stryker again on its surviving mutants' lines only (after new tests),
# with Vitest isolating each test file (exact, slower), into <file>.recheck.json; the summary takes those mutants'
# new status from it.
# LAM_MUTATION_CONCURRENCY (default 2): Stryker's workers. LAM_MUTATION_SKIP_DONE=1: skip files with a report.
# Runs through the Stryker API, not `npx stryker run`: the CLI refuses Node < 22 (see scripts/mutation-run.mjs).
# LAM_MUTATION_REV=<git rev> (e.g. HEAD): mutate a clean export of that commit instead of the working tree, so
# others' half-done edits in a shared tree neither break the dry run nor enter the score (reports still land here).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -n "${LAM_MUTATION_REV:-}" ]; then
  # One export per run (two runs may overlap); .stryker-tmp/ is scratch, git-ignored, safe to delete when idle.
  snap=.stryker-tmp/rev-$$
  rm -rf "$snap" && mkdir -p "$snap/repo" reports/mutation
  git archive "$LAM_MUTATION_REV" | tar -x -C "$snap/repo"
  ln -s "$PWD/node_modules" "$snap/repo/node_modules"
  ln -s "$PWD/reports" "$snap/repo/reports"
  ln -sfn "$(cd .. && pwd)/shared" "$snap/shared"
  echo "mutation.sh: mutating $(git rev-parse --short "$LAM_MUTATION_REV") (an export in $snap/repo)"
  cd "$snap/repo" && exec env -u LAM_MUTATION_REV scripts/mutation.sh "$@"
fi
[ "$#" -gt 0 ] || set -- policy perception
files=()
for p in "$@"; do
  p="${p%/}"
  if [ -d "$p" ]; then mapfile -t -O "${#files[@]}" files < <(find "$p" -name '*.ts' ! -name index.ts ! -name '*.d.ts' | sort)
  elif [ -f "$p" ]; then files+=("$p")
  else echo "mutation.sh: no such folder or file: $p" >&2; exit 2; fi
done
mkdir -p reports/mutation/files .stryker-tmp
# Sandboxes live in .stryker-tmp/sandbox-*: tests that read ../shared/data must find it from there too.
[ -e .stryker-tmp/shared ] || ln -s "$(cd .. && pwd)/shared" .stryker-tmp/shared
status=0
reports=()
for f in "${files[@]}"; do
  json="reports/mutation/files/${f//\//__}.json"
  reports+=("$json" "${json%.json}.recheck.json")
  if [ "${LAM_MUTATION_RECHECK:-0}" = 1 ]; then
    [ -f "$json" ] || { echo "stryker: $f has no report to recheck"; continue; }
    ranges=$(node -e 'const [j, f] = process.argv.slice(1); const r = JSON.parse(require("fs").readFileSync(j, "utf8"));
      const lines = [...new Set(Object.values(r.files).flatMap((x) => x.mutants).filter((m) => m.status === "Survived" || m.status === "NoCoverage").map((m) => m.location.start.line))];
      console.log(lines.map((l) => `${f}:${l}-${l}`).join(","));' "$json" "$f")
    [ -n "$ranges" ] || { echo "stryker: $f has no survivors"; continue; }
    echo "stryker: rechecking the survivors' lines of $f"
    LAM_MUTATION_ISOLATE=1 nice -n "${LAM_MUTATION_NICE:-10}" node scripts/mutation-run.mjs "$ranges" "${LAM_MUTATION_CONCURRENCY:-2}" "${json%.json}.recheck.json" || status=$?
    continue
  fi
  if [ "${LAM_MUTATION_SKIP_DONE:-0}" = 1 ] && [ -f "$json" ]; then echo "stryker: $f already reported"; continue; fi
  echo "stryker: mutating $f"
  nice -n "${LAM_MUTATION_NICE:-10}" node scripts/mutation-run.mjs "$f" "${LAM_MUTATION_CONCURRENCY:-2}" "$json" || status=$?
  node scripts/mutation-summary.mjs reports/mutation/summary.md "$@" -- "${reports[@]}" || true
done
node scripts/mutation-summary.mjs reports/mutation/summary.md "$@" -- "${reports[@]}"
exit "$status"
