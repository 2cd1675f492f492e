// Errors classified by who can fix them. A regression is a verdict, never an exception.

export type ErrorKind = 'usage' | 'config' | 'environment' | 'target' | 'interrupted' | 'internal';

export class PerfgateError extends Error {
  readonly kind: ErrorKind;
  /** What the user can do about it, printed after the message. */
  readonly hint: string | undefined;
  constructor(kind: ErrorKind, message: string, hint?: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.kind = kind;
    this.hint = hint;
  }
}

/** Bad command line: unknown flag, missing argument. */
export class UsageError extends PerfgateError {
  constructor(message: string, hint?: string) {
    super('usage', message, hint);
  }
}

/** Something in a file the user wrote: config, workload, samples. Names the place at fault. */
export class ConfigError extends PerfgateError {
  readonly file: string | undefined;
  readonly line: number | undefined;
  readonly path: string | undefined;
  constructor(
    message: string,
    where: { file?: string; line?: number; path?: string } = {},
    hint?: string,
  ) {
    const at = [where.file, where.line !== undefined ? `line ${where.line}` : undefined]
      .filter(Boolean)
      .join(':');
    const key = where.path ? `${where.path}: ` : '';
    super('config', `${at ? `${at}: ` : ''}${key}${message}`, hint);
    this.file = where.file;
    this.line = where.line;
    this.path = where.path;
  }
}

/** The runner cannot do what was asked: no PMU, permissions, unsupported platform. */
export class EnvironmentError extends PerfgateError {
  constructor(message: string, hint?: string, options?: { cause?: unknown }) {
    super('environment', message, hint, options);
  }
}

/** A target (the before or after build) failed to build, start, become ready, or crashed. */
export class TargetError extends PerfgateError {
  readonly build: string;
  readonly output: string[];
  constructor(build: string, message: string, output: string[] = [], hint?: string) {
    const tail = output.length
      ? `\n--- last ${output.length} lines of output ---\n${output.join('\n')}`
      : '';
    super('target', `${build} build: ${message}${tail}`, hint);
    this.build = build;
    this.output = output;
  }
}

/** The user or the runner stopped the run (SIGINT, SIGTERM, cancellation). */
export class InterruptedError extends PerfgateError {
  readonly signal: string;
  constructor(signal: string) {
    super('interrupted', `interrupted by ${signal}`);
    this.signal = signal;
  }
}

/** The InterruptedError for an aborted signal, whatever its reason holds (an error, a name). */
export function interruption(signal: AbortSignal): InterruptedError {
  const reason: unknown = signal.reason;
  if (reason instanceof InterruptedError) return reason;
  return new InterruptedError(typeof reason === 'string' ? reason : 'SIGINT');
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === 'string') return error;
  try {
    // JSON.stringify(undefined) is undefined, not a string.
    return JSON.stringify(error) ?? String(error);
  } catch {
    return String(error);
  }
}

/** Errors the user can fix print without a stack trace; anything else is perfgate's bug. */
export function isUserFacing(error: unknown): error is PerfgateError {
  return error instanceof PerfgateError && error.kind !== 'internal';
}
