#!/bin/sh
# Runs in the arm64 guest (scripts/guest/guest.mjs), in /repo: the hardware path end to end.
# Results go under /out for test/guest/guest.test.ts: probe.json, vitest.json, shop/ and one
# exit status per step (*.rc). The shop config (/out/shop.yml) is written by the caller.
set -u
step() { echo "guest: step $1 done (exit $2, guest time $(cut -d' ' -f1 /proc/uptime) s)"; }

node dist/cli.js probe --json >/out/probe.json
echo $? >/out/probe.rc
step probe "$(cat /out/probe.rc)"

# The src tests load the committed linux-arm64 prebuilt (native/build holds the host's build).
# The simulated counter needs Valgrind, which the guest does not have: it is tested on the host.
PERFGATE_NATIVE=/repo/dist/native/linux-arm64/perfgate.node CI=true \
  node node_modules/vitest/vitest.mjs run test/counters --exclude test/counters/simulated.test.ts \
  --reporter=verbose --reporter=json --outputFile.json=/out/vitest.json
echo $? >/out/vitest.rc
step vitest "$(cat /out/vitest.rc)"

if [ -f /out/shop.yml ]; then
  node dist/cli.js run --config /out/shop.yml --out /out/shop --seed 1
  echo $? >/out/shop.rc
  step shop "$(cat /out/shop.rc)"
fi
