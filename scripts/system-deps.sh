#!/usr/bin/env bash
# Debian packages QI Portal needs: installed when run as root, otherwise named.
#   scripts/system-deps.sh run   -> what serving the app needs (PDF rendering)
#   scripts/system-deps.sh test  -> plus chromium for the browser tests, and npm for axe-core
set -euo pipefail
mode="${1:-run}"
pkgs=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core)
# Debian's optimised python3.11 (the Makefile's first choice) makes virtual environments only with this.
[ -x /usr/bin/python3.11 ] && pkgs+=(python3.11-venv)
if [ "$mode" = "test" ]; then
  pkgs+=(chromium)
  command -v npm >/dev/null 2>&1 || pkgs+=(npm)
fi
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Debian packages: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "QI Portal needs these Debian packages, which are not installed: ${missing[*]}" >&2
  echo "Install them with:  sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
