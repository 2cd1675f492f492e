// The machine a shard measured on, from /proc/cpuinfo: counts are comparable across runners only
// with the same CPU model, microcode and feature flags (glibc and JITs pick code paths by flags).

import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';

export interface Machine {
  cpuModel: string;
  /** The first CPU's feature flags, sorted; empty where /proc/cpuinfo has none. */
  flags: string[];
  microcode?: string;
}

/** Parses the first processor block of /proc/cpuinfo (x86 `flags`, arm64 `Features`). */
export function parseCpuInfo(text: string): Partial<Machine> {
  const out: Partial<Machine> = {};
  for (const line of text.split('\n')) {
    if (line.trim() === '' && out.flags) break;
    const at = line.indexOf(':');
    if (at < 0) continue;
    const key = line.slice(0, at).trim();
    const value = line.slice(at + 1).trim();
    if (key === 'model name' && !out.cpuModel) out.cpuModel = value;
    else if ((key === 'flags' || key === 'Features') && !out.flags)
      out.flags = [...new Set(value.split(/\s+/).filter(Boolean))].sort();
    else if (key === 'microcode' && !out.microcode) out.microcode = value;
  }
  return out;
}

export function readMachine(): Machine {
  let facts: Partial<Machine> = {};
  try {
    facts = parseCpuInfo(readFileSync('/proc/cpuinfo', 'utf8'));
  } catch {
    // Not Linux, or no /proc: the model from the OS is all there is.
  }
  return {
    cpuModel: facts.cpuModel ?? cpus()[0]?.model.trim() ?? 'unknown',
    flags: facts.flags ?? [],
    ...(facts.microcode ? { microcode: facts.microcode } : {}),
  };
}
