// The terminal's Logger: messages on stderr; progress as one rewritten status line on a TTY,
// and as occasional plain lines elsewhere (CI logs), so long runs always show signs of life.

import type { Logger } from '../log.js';
import { terminalText } from '../report/escape.js';

export function terminalLogger(
  stream: NodeJS.WriteStream | NodeJS.WritableStream,
  verbose = false,
): Logger {
  const tty = 'isTTY' in stream && stream.isTTY === true;
  let statusShown = false;
  let lastPlain = 0;
  const clear = () => {
    if (statusShown) {
      stream.write('\r\x1b[K');
      statusShown = false;
    }
  };
  // Messages quote workloads and server output: nothing in them may drive the terminal.
  const line = (text: string) => {
    clear();
    stream.write(`${terminalText(text)}\n`);
  };
  return {
    debug: (m) => {
      if (verbose) line(`debug: ${m}`);
    },
    info: (m) => line(m),
    warn: (m, title) => line(`warning: ${title ? `${title}: ` : ''}${m}`),
    error: (m, title) => line(`error: ${title ? `${title}: ` : ''}${m}`),
    progress: (m) => {
      if (tty) {
        stream.write(`\r\x1b[K${terminalText(m)}`);
        statusShown = true;
        return;
      }
      const now = Date.now();
      if (now - lastPlain >= 2000) {
        lastPlain = now;
        stream.write(`${terminalText(m)}\n`);
      }
    },
  };
}
