#!/bin/sh
# The bundled Gherkin suite as a test, on both QEMU releases: on the model as QEMU 7.2, then (when
# qemu-system-x86_64 is installed) in diff mode, where every request also goes to real QEMU 7.2 and any
# disagreement fails the scenario; then the same as QEMU 10.0 (model-10.0, and diff-10.0 against the QEMU 10.0
# that scripts/install-qemu.sh 10.0 installs, or $HOTPLUG_QEMU_10_0).
set -e
cd "$(dirname "$0")/.."
node scripts/build.js --if-stale
node --enable-source-maps dist/reports/run.js
if command -v qemu-system-x86_64 >/dev/null 2>&1; then
  node --enable-source-maps dist/reports/run.js -p diff
else
  echo "skipping the model-vs-QEMU run: qemu-system-x86_64 is not installed (apt-get install qemu-system-x86)"
fi
node --enable-source-maps dist/reports/run.js -p model-10.0
qemu10="${HOTPLUG_QEMU_10_0:-$(bash scripts/install-qemu.sh --print 10.0)}"
if [ -x "$qemu10" ]; then
  node --enable-source-maps dist/reports/run.js -p diff-10.0
else
  echo "skipping the model-vs-QEMU 10.0 run: $qemu10 is not installed (scripts/install-qemu.sh 10.0)"
fi
