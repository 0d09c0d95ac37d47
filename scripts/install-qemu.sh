#!/usr/bin/env bash
# Install a QEMU version beside the system's, without touching it: Debian's packages are downloaded and
# unpacked (dpkg -x) into a private prefix under the cache folder.
#
#   scripts/install-qemu.sh 10.0          # QEMU 10.0.2 from Debian bookworm-backports
#   scripts/install-qemu.sh --print 10.0  # print the binary's path (installs nothing)
#
# Prefix: ${HOTPLUG_SCENARIOS_CACHE:-$HOME/.cache/hotplug-scenarios}/qemu-VERSION/root; the binary is
# ROOT/usr/bin/qemu-system-x86_64, run with -L ROOT/usr/share/qemu -L ROOT/usr/share/seabios (the qemu
# backend does this itself, with QEMU_MODULE_DIR=ROOT/usr/lib/x86_64-linux-gnu/qemu). 7.2 is the system's own qemu-system-x86 (apt-get install qemu-system-x86).
# Needs root for apt-get (adds the bookworm-backports source if apt has none).
set -euo pipefail
print=0
if [ "${1:-}" = "--print" ]; then print=1; shift; fi
version="${1:-10.0}"
cache="${HOTPLUG_SCENARIOS_CACHE:-$HOME/.cache/hotplug-scenarios}"
case "$version" in
  7.2)
    if [ $print = 1 ]; then command -v qemu-system-x86_64; exit; fi
    command -v qemu-system-x86_64 >/dev/null || { apt-get update -qq; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends qemu-system-x86; }
    qemu-system-x86_64 --version | head -1
    exit 0 ;;
  10.0) suite=bookworm-backports; want='1:10.0.2+ds-2+deb13u1~bpo12+1' ;;
  *) echo "install-qemu.sh: unknown QEMU version '$version' (supported: 7.2, 10.0)" >&2; exit 2 ;;
esac
root="$cache/qemu-$version/root"
bin="$root/usr/bin/qemu-system-x86_64"
if [ $print = 1 ]; then echo "$bin"; exit 0; fi
if [ -x "$bin" ] && [ -f "$cache/qemu-$version/version" ] && [ "$(cat "$cache/qemu-$version/version")" = "$want" ]; then
  echo "QEMU $version already installed: $bin"; exit 0
fi
if ! grep -rqs "$suite" /etc/apt/sources.list /etc/apt/sources.list.d/; then
  cat > /etc/apt/sources.list.d/hotplug-scenarios-backports.sources <<SRC
Types: deb
URIs: http://deb.debian.org/debian
Suites: $suite
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
  apt-get update -qq
elif ! apt-cache policy qemu-system-x86 | grep -qF "$want"; then
  apt-get update -qq
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
( cd "$work"
  # every module package of the build: QEMU looks for a module it lacks in the system's module folder
  # too, and aborts on the system's 7.2 modules ("Only modules from the same build can be loaded")
  for p in qemu-system-x86 qemu-system-common qemu-system-data qemu-system-gui qemu-system-modules-opengl \
           qemu-system-modules-spice qemu-block-extra; do apt-get download -qq "$p=$want" 2>/dev/null; done
  apt-get download -qq "seabios/$suite" )
rm -rf "$cache/qemu-$version"
mkdir -p "$root"
for d in "$work"/*.deb; do dpkg -x "$d" "$root"; done
echo "$want" > "$cache/qemu-$version/version"
QEMU_MODULE_DIR="$root/usr/lib/x86_64-linux-gnu/qemu" "$bin" -L "$root/usr/share/qemu" -L "$root/usr/share/seabios" --version | head -1
echo "installed: $bin"
