#!/usr/bin/env bash
# Installs the real parts the tests talk to: a Mosquitto broker (MQTT 5), Chromium (report rendering) and
# Debian's PyTorch (the benchmark peer whose output the bench test checks against ours).
# Runs before `npm test`; does nothing when both are already there.
set -euo pipefail
need=()
command -v mosquitto >/dev/null 2>&1 || [ -x /usr/sbin/mosquitto ] || need+=(mosquitto)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
/usr/bin/python3 -c "import torch" >/dev/null 2>&1 || need+=(python3-torch)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ] && ! command -v sudo >/dev/null 2>&1; then
  echo "test-deps: missing ${need[*]} and not root: install them, or the tests that need them fail" >&2
  exit 0
fi
SUDO=""; [ "$(id -u)" != 0 ] && SUDO=sudo
echo "test-deps: installing ${need[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >&2
$SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >&2
