import { execFile } from 'node:child_process';
import { aslrOffPrefix } from './spawn.js';

let cached: Promise<boolean> | undefined;

/** Whether `setarch -R` works here (seccomp or an old util-linux can refuse it). */
export function aslrOffWorks(): Promise<boolean> {
  cached ??= new Promise((resolve) => {
    const [cmd, ...args] = aslrOffPrefix();
    execFile(cmd!, [...args, 'true'], (error) => resolve(!error));
  });
  return cached;
}
