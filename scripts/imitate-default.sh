#!/usr/bin/env bash
# Rebuilds the bundled scene-aware driving models from scratch (lam imitate: DART demonstrations + DAgger rounds on
# generated scenarios, seeded). Each run is single-threaded; the two vehicles may run at once on two cores.
# Usage: scripts/imitate-default.sh [car|robot|both]   (LAM overrides the command, default: the built bin)
set -euo pipefail
cd "$(dirname "$0")/.."
LAM=${LAM:-"node dist/runtime/cli.js"}
# Then, per action, the network's residual or the prior alone, whichever drives closer to the reference on
# validation scenarios (seed 77; head.source in lam.json).
CHOOSE=${CHOOSE:-"npx tsx scripts/choose-sources.ts"}
which=${1:-both}
args="--rounds 2 --scenarios 36 --epochs 10 --round-epochs 4"
if [[ $which == car || $which == both ]]; then
  $LAM imitate --vehicle car --seed 11 $args --out dynamics/models/car-drive
  $CHOOSE dynamics/models/car-drive --vehicle car
fi
if [[ $which == robot || $which == both ]]; then
  $LAM imitate --vehicle robot --seed 12 $args --out dynamics/models/robot-drive
  $CHOOSE dynamics/models/robot-drive --vehicle robot
fi
