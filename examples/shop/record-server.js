// The shop with perfgate's recorder in front: a service recording a sample of its own traffic.
//
//   npm run build && node examples/shop/record-server.js before      # or: after (or SHOP_BUILD=)
//
// Environment:
//   PORT                   where to listen (default 8080)
//   RECORD                 base path of the recording (default recordings/shop.jsonl)
//   RECORD_RATE            share of requests recorded, 0..1 (default 1)
//   SHOP_FLAGS             flags this process serves with, e.g. "new-search=on,banner=b"
//   PERFGATE_COMMIT        the build's commit, stored in every record
//
// Then `perfgate rollout` compares two windows of recordings, and the recorded files replay as
// a workload: `perfgate run --config perfgate.yml` with `workload:` pointing at one.

import { createRecorder } from '../../dist/recorder.js';

const build = process.argv[2] ?? process.env.SHOP_BUILD ?? 'before';
if (build !== 'before' && build !== 'after') {
  console.error('usage: node record-server.js before|after');
  process.exit(2);
}

const flags = Object.fromEntries(
  (process.env.SHOP_FLAGS ?? '')
    .split(',')
    .filter(Boolean)
    .map((pair) => pair.split('=').map((s) => s.trim())),
);

const recorder = createRecorder({
  path: process.env.RECORD ?? 'recordings/shop.jsonl',
  rate: Number(process.env.RECORD_RATE ?? 1),
  // The shop names its routes in its own router; the recorder needs them for the two with ids.
  routes: ['/api/products/:id', '/api/products/:id/reviews'],
  commit: process.env.PERFGATE_COMMIT ?? build,
  flags: () => flags,
});

// The shop exits on SIGTERM after closing its server; the recorder writes its queue at exit.
process.on('exit', () => {
  const s = recorder.stats();
  console.error(`recorder: ${s.recorded} recorded, ${s.dropped} dropped, counter ${s.counter}`);
});

await import(`./${build}/server.js`);
