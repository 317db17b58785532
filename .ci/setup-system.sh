#!/usr/bin/env bash
# Install the Debian packages listed in .ci/system-packages.txt that are not yet installed.
# Runs as root on CI and developer machines (apt-get update once, then install). Where apt-get
# or root is missing, it says which packages are absent; the tests that need them then skip
# with that reason.
set -euo pipefail
cd "$(dirname "$0")"
mapfile -t wanted < <(sed -e 's/#.*//' -e 's/[[:space:]]//g' system-packages.txt | grep -v '^$' || true)
[ ${#wanted[@]} -eq 0 ] && exit 0
missing=()
for p in "${wanted[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
    echo "setup-system: cannot install ${missing[*]} (needs root and apt-get); tests that need them will skip" >&2
    exit 0
fi
echo "setup-system: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
