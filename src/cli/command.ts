// The shape every `perfgate <command>` module has, and the argument parsing they share.

import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { Logger } from '../log.js';
import { UsageError } from '../errors.js';

export interface CommandContext {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  cwd: string;
  env: NodeJS.ProcessEnv;
  logger: Logger;
  /** Aborted on SIGINT/SIGTERM: long work must stop, clean up and keep what it has. */
  signal: AbortSignal;
}

export interface Command {
  name: string;
  /** One line for `perfgate --help`. */
  summary: string;
  /** Full text for `perfgate <name> --help`. */
  help: string;
  /** Returns the process exit code: 0 pass, 1 fail (a verdict), 2 error or bad usage. */
  run(argv: string[], ctx: CommandContext): Promise<number>;
}

export type OptionSpec = NonNullable<ParseArgsConfig['options']>;

export interface Parsed<O extends OptionSpec> {
  values: {
    [K in keyof O]?: O[K] extends { type: 'boolean' }
      ? boolean
      : O[K] extends { multiple: true }
        ? string[]
        : string;
  };
  positionals: string[];
  help: boolean;
}

/** Parses argv strictly; unknown flags become a UsageError naming the flag and the command. */
export function parseCommandArgs<O extends OptionSpec>(
  command: string,
  argv: string[],
  options: O,
  allowPositionals = true,
): Parsed<O> {
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      options: { ...options, help: { type: 'boolean', short: 'h' } },
      allowPositionals,
      strict: true,
    });
    const { help, ...rest } = values as Record<string, unknown>;
    return { values: rest as Parsed<O>['values'], positionals, help: help === true };
  } catch (error) {
    const message =
      error instanceof Error ? error.message.replace(/\. To specify .*$/s, '') : String(error);
    throw new UsageError(
      `perfgate ${command}: ${message}`,
      `run 'perfgate ${command} --help' for usage`,
    );
  }
}

export function write(stream: NodeJS.WritableStream, text: string): void {
  stream.write(text.endsWith('\n') ? text : `${text}\n`);
}
