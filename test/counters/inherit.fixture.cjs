// Work done only by a forked child process or only by a worker thread: `node inherit.fixture.cjs
// fork|worker N`. The parent itself does the same whatever N is, so any growth of the tree's
// count with N was counted in the child or the thread.
const { fork } = require('node:child_process');
const { Worker } = require('node:worker_threads');
const [mode, n] = [process.argv[2], Number(process.argv[3] || 0)];
const burn = (count) => {
  let x = 0;
  for (let i = 0; i < count; i++) x += i % 7;
  return x;
};
if (mode === 'child') {
  burn(n);
  process.exit(0);
} else if (mode === 'fork') {
  fork(__filename, ['child', String(n)]).once('exit', (code) => process.exit(code ?? 1));
} else if (mode === 'worker') {
  const src = `(${burn.toString()})(${n}); require('node:worker_threads').parentPort.postMessage(0);`;
  new Worker(src, { eval: true }).once('message', () => process.exit(0));
} else {
  console.error('usage: inherit.fixture.cjs fork|worker N');
  process.exit(2);
}
