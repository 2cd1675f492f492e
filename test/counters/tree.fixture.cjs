// A process tree that burns CPU in 3 worker threads and a forked grandchild, then waits for all.
const { Worker } = require('node:worker_threads');
const { fork } = require('node:child_process');
const iterations = Number(process.argv[2] || 5e7);
const burn = `let x = 0; for (let i = 0; i < ${iterations}; i++) x += i % 7; require('node:worker_threads').parentPort.postMessage(x);`;
if (process.argv[3] === 'child') {
  let x = 0;
  for (let i = 0; i < iterations * 2; i++) x += i % 7;
  process.exit(x > 0 ? 0 : 1);
}
const jobs = [];
for (let t = 0; t < 3; t++) {
  jobs.push(new Promise((resolve) => new Worker(burn, { eval: true }).once('message', resolve)));
}
jobs.push(
  new Promise((resolve) => fork(__filename, [String(iterations), 'child']).once('exit', resolve)),
);
Promise.all(jobs).then(() => process.exit(0));
