#!/bin/sh
# Re-record the libvirt referee transcripts from REAL libvirt, with the shared recorder. Every scenario is
# recorded twice with a fresh private libvirtd and must come out identical; SCENARIO.libvirt.json is written
# beside each SCENARIO.yaml.
#
#   sudo scripts/record-libvirt.sh                              # libvirt 9.0 + QEMU 7.2: all of test/libvirt/
#   sudo scripts/record-libvirt.sh test/libvirt/seed-pc.yaml ...
#   sudo scripts/record-libvirt.sh --check                      # re-record and compare with the stored transcripts
#   sudo scripts/record-libvirt.sh --libvirt-version 11.3       # libvirt 11.3 + QEMU 10.0.2: all of test/libvirt-11.3/
#   sudo scripts/record-libvirt.sh --libvirt-version 11.3 --check FILE.yaml ...
#
# Needs root, util-linux unshare and (both versions: the installed 9.0 packages are also the mount points
# of 11.3's files)
#   apt-get install -y --no-install-recommends libvirt-daemon libvirt-daemon-driver-qemu libvirt-clients qemu-system-x86
# libvirt 11.3 and QEMU 10.0.2 are never installed: their Debian bookworm-backports packages are unpacked
# (dpkg -x) into ${LV11_ROOT:-~/.cache/libvirt-11.3/root} on first use (this script does it; apt needs a
# bookworm-backports source, scripts/install-qemu.sh 10.0 adds one), and the recorder bind-mounts them over
# the system's files inside its own mount namespace only.
# Scenarios without a guest eject during detach-device take 5 s more each (libvirt's real unplug wait).
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
version=9.0
opts=""
files=""
while [ $# -gt 0 ]; do
  case $1 in
    --libvirt-version) version=${2:?--libvirt-version needs 9.0 or 11.3}; shift 2; continue ;;
    --libvirt-version=*) version=${1#*=} ;;
    -*) opts="$opts $1" ;;
    *) files="$files $1" ;;
  esac
  shift
done
# the recorders live in the shared tools folder beside the checkout (or one level up, from a worktree)
tools=$here/../shared/tools
[ -d "$tools" ] || tools=$here/../../shared/tools
case $version in
  9.0|9.0.0)
    recorder=${RECORD_LIBVIRT_REPLAY:-$tools/record-libvirt-replay.py}
    dir=$here/test/libvirt ;;
  11.3|11.3.0)
    recorder=${RECORD_LIBVIRT_REPLAY_11:-$tools/record-libvirt-replay-11.py}
    dir=$here/test/libvirt-11.3
    root=${LV11_ROOT:-$HOME/.cache/libvirt-11.3/root}
    if [ ! -x "$root/usr/sbin/libvirtd" ] || [ ! -x "$root/usr/bin/qemu-system-x86_64" ]; then
      if ! grep -rqs bookworm-backports /etc/apt/sources.list /etc/apt/sources.list.d/; then
        echo "record-libvirt.sh: apt has no bookworm-backports source (scripts/install-qemu.sh 10.0 adds one)" >&2; exit 2
      fi
      work=$(mktemp -d)
      trap 'rm -rf "$work"' EXIT
      ( cd "$work"
        for p in libvirt0 libvirt-common libvirt-daemon libvirt-daemon-common libvirt-daemon-log libvirt-daemon-lock \
                 libvirt-daemon-driver-qemu libvirt-clients qemu-system-x86 qemu-system-common qemu-system-data seabios; do
          apt-get download -qq "$p/bookworm-backports"
        done )
      mkdir -p "$root"
      for d in "$work"/*.deb; do dpkg -x "$d" "$root"; done
      echo "record-libvirt.sh: libvirt 11.3 + QEMU 10.0 unpacked into $root"
    fi
    export LV11_ROOT="$root" ;;
  *) echo "record-libvirt.sh: unknown libvirt version '$version' (9.0 or 11.3)" >&2; exit 2 ;;
esac
[ -n "$files" ] || files=$(ls "$dir"/*.yaml)
# shellcheck disable=SC2086
exec python3 "$recorder" $opts $files
