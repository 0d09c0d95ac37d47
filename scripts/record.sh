#!/bin/sh
# Re-record replay transcripts from real QEMU (qemu-system-x86_64, paused TCG; KVM only for
# scenarios whose machine says `-accel kvm` and when /dev/kvm exists). The release is the scenario's
# `qemu-version:` key, else --qemu-version (default 7.2); 10.0 must be installed (scripts/install-qemu.sh 10.0).
#
#   scripts/record.sh test/replay/qemu test/replay/qemu-acpi        # every *.yaml in these folders
#   scripts/record.sh test/replay/qemu/plug-auto-pc.yaml             # one scenario
#   scripts/record.sh --trace-events test/replay/qemu               # with each step's trace-event lines
#   scripts/record.sh --trace-events=pic_*,ioapic_* FILE.yaml        # another selection (QEMU -trace patterns)
#   scripts/record.sh test/replay-10.0/qemu                          # files with qemu-version: "10.0"
#   scripts/record.sh --qemu-version 10.0 FILE.yaml                  # a file without the key, on 10.0
#
# For each scenario NAME.yaml it writes NAME.qemu.json next to it (pretty-printed, one-space indent).
# Exit status: 0 all recorded, 1 some scenario failed to run, 2 usage error or QEMU missing.
set -e
ROOT=$(cd "$(dirname "$0")/.." && pwd)
node "$ROOT/scripts/build.js" --if-stale
exec node --enable-source-maps "$ROOT/dist/scripts/record.js" "$@"
