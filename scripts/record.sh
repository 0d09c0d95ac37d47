#!/bin/sh
# Re-record replay transcripts from real QEMU 7.2 (qemu-system-x86_64, paused TCG; KVM only for
# scenarios whose machine says `-accel kvm` and when /dev/kvm exists).
#
#   scripts/record.sh test/replay/qemu test/replay/qemu-acpi        # every *.yaml in these folders
#   scripts/record.sh test/replay/qemu/plug-auto-pc.yaml             # one scenario
#
# For each scenario NAME.yaml it writes NAME.qemu.json next to it (pretty-printed, one-space indent).
# Exit status: 0 all recorded, 1 some scenario failed to run, 2 usage error or QEMU missing.
set -e
ROOT=$(cd "$(dirname "$0")/.." && pwd)
node "$ROOT/scripts/build.js" --if-stale
exec node --enable-source-maps "$ROOT/dist/scripts/record.js" "$@"
