// A process tree that burns CPU in 3 worker threads and a forked grandchild, then waits for all.
// `node tree.fixture.cjs <work>`, where <work> is
//   N        N loop iterations per thread and 2N in the grandchild (a fixed instruction count);
//   Nms      until the process has used N ms more CPU than when the thread started (2N ms in the
//            grandchild): at least that much work beyond start-up, on a fast machine as on a
//            slow or busy one;
//   forever  until killed.
const { Worker } = require('node:worker_threads');
const { fork } = require('node:child_process');
const work = process.argv[2] || '5e7';

function cpuMs() {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** Burns `scale` times the work; in a worker, process.cpuUsage() is the whole process's. */
function burn(scale) {
  let x = 0;
  const spin = (n) => {
    for (let i = 0; i < n; i++) x += i % 7;
  };
  if (work === 'forever') for (;;) spin(1e6);
  else if (work.endsWith('ms')) {
    const until = cpuMs() + Number(work.slice(0, -2)) * scale;
    while (cpuMs() < until) spin(1e5);
  } else spin(Number(work) * scale);
  return x;
}

if (process.argv[3] === 'child') {
  process.exit(burn(2) >= 0 ? 0 : 1);
} else if (process.argv[3] === 'worker') {
  require('node:worker_threads').parentPort.postMessage(burn(1));
} else {
  const jobs = [];
  for (let t = 0; t < 3; t++) {
    const w = new Worker(__filename, { argv: [work, 'worker'] });
    jobs.push(new Promise((resolve) => w.once('message', resolve)));
  }
  jobs.push(new Promise((resolve) => fork(__filename, [work, 'child']).once('exit', resolve)));
  Promise.all(jobs).then(() => process.exit(0));
}
