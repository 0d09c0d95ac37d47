#!/bin/sh
# Re-record the libvirt referee transcripts in test/libvirt/ from REAL libvirt 9.0 + QEMU 7.2 (Debian
# bookworm), with the shared recorder. Every scenario is recorded twice with a fresh private libvirtd and
# must come out identical; SCENARIO.libvirt.json is written beside each SCENARIO.yaml.
#
#   sudo scripts/record-libvirt.sh                    # all scenarios in test/libvirt/
#   sudo scripts/record-libvirt.sh test/libvirt/seed-pc.yaml ...
#   sudo scripts/record-libvirt.sh --check            # re-record and compare with the stored transcripts
#
# Needs root, util-linux unshare and
#   apt-get install -y --no-install-recommends libvirt-daemon libvirt-daemon-driver-qemu libvirt-clients qemu-system-x86
# Scenarios without a guest eject during detach-device take 5 s more each (libvirt's real unplug wait).
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
recorder=${RECORD_LIBVIRT_REPLAY:-$here/../shared/tools/record-libvirt-replay.py}
opts=""
files=""
for a in "$@"; do
  case $a in
    -*) opts="$opts $a" ;;
    *) files="$files $a" ;;
  esac
done
[ -n "$files" ] || files=$(ls "$here"/test/libvirt/*.yaml)
# shellcheck disable=SC2086
exec python3 "$recorder" $opts $files
