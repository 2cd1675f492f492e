// A service recording every request with large bodies, for the kill-mid-write test.
import http from 'node:http';
import { createRecorder } from '../../src/recorder/index.js';

createRecorder({ path: process.argv[2]!, rate: 1, maxBodyBytes: 1 << 20 });
const server = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => res.end('ok'));
});
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${(server.address() as { port: number }).port}\n`);
});
