#!/usr/bin/env bash
# Installs the real parts the tests talk to: a Mosquitto broker (MQTT 5), Chromium (report rendering) and
# Debian's PyTorch for /usr/bin/python3 (the benchmark peer). Runs before `npm test`; does nothing when all are there.
# Looks them up as test/support/require-tool.ts does. When something is missing and cannot be installed (not root,
# no sudo, apt failed): under CI=true it exits 1 naming it (the tests that need it would fail anyway); elsewhere
# it warns and exits 0, and those tests are skipped with the missing part in their name.
set -euo pipefail

have_mosquitto() { command -v mosquitto >/dev/null 2>&1 || [ -x /usr/sbin/mosquitto ] || [ -x /usr/bin/mosquitto ]; }
have_chromium() {
  command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 ||
    [ -x /usr/bin/chromium ] || [ -x /usr/bin/chromium-browser ] || [ -x /snap/bin/chromium ]
}
have_torch() { [ -x /usr/bin/python3 ] && /usr/bin/python3 -c "import torch" >/dev/null 2>&1; }

missing() {
  local m=()
  have_mosquitto || m+=(mosquitto)
  have_chromium || m+=(chromium)
  have_torch || m+=(python3-torch)
  echo "${m[@]}"
}

ci() { [ "${CI:-}" = true ] || [ "${CI:-}" = 1 ]; }

give_up() {
  if ci; then
    echo "test-deps: CI=${CI}: missing $1 ($2). Under CI the tests that need them fail rather than skip; install them (apt-get install $1) or run this as root." >&2
    exit 1
  fi
  echo "test-deps: warning: missing $1 ($2); the tests that need them are skipped, each naming what is missing." >&2
  exit 0
}

need="$(missing)"
[ -z "$need" ] && exit 0

SUDO=""
if [ "$(id -u)" != 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then SUDO="sudo -n"; else give_up "$need" "not root and no password-less sudo"; fi
fi
echo "test-deps: installing $need" >&2
export DEBIAN_FRONTEND=noninteractive
# shellcheck disable=SC2086 # $need is a list of package names
if ! { $SUDO apt-get update -qq >&2 && $SUDO apt-get install -y -qq --no-install-recommends $need >&2; }; then
  give_up "$need" "apt-get failed"
fi
still="$(missing)"
[ -z "$still" ] || give_up "$still" "still not found after apt-get install"
