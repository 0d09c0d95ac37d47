#!/bin/sh
# Every replay scenario under test/replay/ has a twin under test/replay-10.0/ (same folder and name, with
# `qemu-version: "10.0"` after its leading comments) recorded from real QEMU 10.0. This creates the twins
# that are missing (or the ones named) and records them with scripts/record.sh.
#
#   scripts/record-10.0-twins.sh                                    # every missing twin
#   scripts/record-10.0-twins.sh test/replay/qemu/plug-auto-pc.yaml # re-create and record this one's twin
#
# Needs QEMU 10.0 (scripts/install-qemu.sh 10.0). A twin that QEMU 10.0 cannot run as is (e.g. a step that
# aborts 10.0) is edited by hand afterwards, with a comment saying why.
set -e
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
if [ $# -gt 0 ]; then files="$*"; force=1; else files=$(find test/replay -name '*.yaml' | sort); force=0; fi
made=""
for f in $files; do
  rel=${f#test/replay/}
  twin="test/replay-10.0/$rel"
  if [ $force = 0 ] && [ -f "$twin" ]; then continue; fi
  mkdir -p "$(dirname "$twin")"
  awk 'BEGIN { done = 0 }
       !done && !/^#/ && !/^[[:space:]]*$/ { print "qemu-version: \"10.0\""; done = 1 }
       { print }
       END { if (!done) print "qemu-version: \"10.0\"" }' "$f" > "$twin"
  made="$made $twin"
done
[ -z "$made" ] && { echo "every test/replay scenario has its 10.0 twin"; exit 0; }
exec sh scripts/record.sh --trace-events $made
