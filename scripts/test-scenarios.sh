#!/bin/sh
# The bundled Gherkin suite as a test: on the model, then (when qemu-system-x86_64 is installed) in diff
# mode, where every request also goes to real QEMU 7.2 and any disagreement fails the scenario.
set -e
cd "$(dirname "$0")/.."
node scripts/build.js --if-stale
node --enable-source-maps dist/reports/run.js
if command -v qemu-system-x86_64 >/dev/null 2>&1; then
  node --enable-source-maps dist/reports/run.js -p diff
else
  echo "skipping the model-vs-QEMU run: qemu-system-x86_64 is not installed (apt-get install qemu-system-x86)"
fi
