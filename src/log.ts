// Domain code speaks through a Logger, so only the edges (CLI, action) decide where text goes.

export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string, title?: string): void;
  error(message: string, title?: string): void;
  /** Transient progress on long work (a status line on a terminal, a log line elsewhere). */
  progress(message: string): void;
}

export const silentLogger: Logger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
  progress: () => {},
};

/** A logger that keeps every line, for tests. */
export function memoryLogger(): Logger & { lines: { level: string; message: string }[] } {
  const lines: { level: string; message: string }[] = [];
  const push = (level: string) => (message: string) => {
    lines.push({ level, message });
  };
  return {
    lines,
    debug: push('debug'),
    info: push('info'),
    warn: push('warn'),
    error: push('error'),
    progress: push('progress'),
  };
}
