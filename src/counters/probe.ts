// What this machine can count, and which counter `auto` picks. Pure decision logic over facts
// gathered by gatherProbeFacts(), so every status is testable without the machine that has it.

import { readFileSync } from 'node:fs';
import { cpus, release } from 'node:os';
import { loadBinding } from './binding.js';
import { formatCpuList, readHybridCpu, type HybridCpu } from '../proc/cpus.js';
import { EVENTS } from '../proc/events.js';

export type EventStatus = { ok: true } | { ok: false; error: string };

export type CapabilityStatus =
  | 'available' // hardware instructions count here
  | 'no-pmu' // software events only (cloud VMs, hosted runners)
  | 'permission-denied' // perf_event_paranoid or capabilities refuse
  | 'blocked' // seccomp / container policy (EPERM)
  | 'unsupported-os'
  | 'not-bound'; // the native addon is missing or does not load

export interface ProbeFacts {
  platform: string;
  arch: string;
  kernel: string;
  cpuModel: string;
  cpus: number;
  /** kernel.perf_event_paranoid, or null when the kernel has no perf events at all. */
  paranoid: number | null;
  native: { loaded: boolean; path?: string; reason?: string };
  /** Each event opened on this process with user-space counting. */
  events: Record<string, EventStatus>;
  /** Whether kernel-mode counting is permitted (task-clock with exclude_kernel=0). */
  kernelCounting: boolean;
  /** Hybrid CPU (separate PMUs for performance and efficiency cores), or null. */
  hybrid?: HybridCpu | null;
  /** CPUs this process may run on (its affinity), which targets inherit unless pinned. */
  allowedCpus?: number[];
}

export interface ProbeReport extends ProbeFacts {
  status: CapabilityStatus;
  /** The counter `counter: auto` selects, or null when nothing can be counted. */
  selected: string | null;
  fallback: boolean;
  message: string;
  hint?: string;
}

function readParanoid(): number | null {
  try {
    return Number.parseInt(readFileSync('/proc/sys/kernel/perf_event_paranoid', 'utf8').trim(), 10);
  } catch {
    return null;
  }
}

function cpuModel(): string {
  return cpus()[0]?.model.trim() ?? 'unknown';
}

export function gatherProbeFacts(): ProbeFacts {
  const base = {
    platform: process.platform,
    arch: process.arch,
    kernel: release(),
    cpuModel: cpuModel(),
    cpus: cpus().length,
    paranoid: process.platform === 'linux' ? readParanoid() : null,
  };
  const binding = loadBinding();
  if (!binding.bound) {
    return {
      ...base,
      native: { loaded: false, reason: binding.reason },
      events: {},
      kernelCounting: false,
    };
  }
  const hybrid = base.platform === 'linux' ? readHybridCpu() : null;
  const events: Record<string, EventStatus> = {};
  for (const e of EVENTS) {
    // exclude_kernel=1 first: at paranoid >= 2 kernel counting is refused (EACCES) before the
    // PMU is even looked up, which would hide the real answer (ENOENT on a PMU-less VM).
    // On a hybrid CPU the hardware events are asked of the performance cores' PMU, as measured.
    const r = binding.native.probe(e.name, true, hybrid?.core.type);
    events[e.name] = r.ok ? { ok: true } : { ok: false, error: r.code ?? 'EUNKNOWN' };
  }
  const kernelCounting = binding.native.probe('task-clock', false).ok;
  return {
    ...base,
    native: { loaded: true, path: binding.path },
    events,
    kernelCounting,
    hybrid,
    allowedCpus: binding.native.getAffinity(0),
  };
}

const PARANOID_FIX =
  'allow unprivileged counting of your own processes: sudo sysctl -w kernel.perf_event_paranoid=2 ' +
  '(persist it in /etc/sysctl.d/99-perfgate.conf)';

/** What the facts add up to: the status, the counter to use (none: nothing counts), and why. */
interface Assessment {
  status: CapabilityStatus;
  selected: string | null;
  message: string;
  hint?: string;
}

const assessment = (
  status: CapabilityStatus,
  selected: string | null,
  message: string,
  hint?: string,
): Assessment => ({ status, selected, message, ...(hint ? { hint } : {}) });

export function assessProbe(facts: ProbeFacts): ProbeReport {
  const a = hostRefusal(facts) ?? countersOf(facts);
  return {
    ...facts,
    status: a.status,
    selected: a.selected,
    fallback: a.selected !== null && a.selected !== 'instructions',
    message: a.message,
    ...(a.hint ? { hint: a.hint } : {}),
  };
}

/** No perf events at all here: another OS, no addon for this platform, a kernel without them. */
function hostRefusal(facts: ProbeFacts): Assessment | undefined {
  if (facts.platform !== 'linux') {
    return assessment(
      'unsupported-os',
      null,
      `perfgate needs Linux perf_event_open; this runner is ${facts.platform}-${facts.arch}`,
      'run perfgate on a Linux runner (x64 or arm64)',
    );
  }
  if (!facts.native.loaded) {
    return assessment(
      'not-bound',
      null,
      facts.native.reason ?? 'native addon not loaded',
      'supported: linux-x64, linux-arm64 (glibc)',
    );
  }
  if (facts.paranoid === null) {
    return assessment(
      'unsupported-os',
      null,
      'this kernel has no perf events (/proc/sys/kernel/perf_event_paranoid is missing)',
      'use a kernel built with CONFIG_PERF_EVENTS',
    );
  }
  return undefined;
}

/** Instructions where the PMU counts them, else task-clock, else why nothing opens. */
function countersOf(facts: ProbeFacts): Assessment {
  const sw = facts.events['task-clock'];
  const hw = facts.events['instructions'];
  if (hw?.ok) {
    const hybrid = facts.hybrid
      ? ` (hybrid CPU: on the ${facts.hybrid.core.name} PMU, targets kept on CPUs ${formatCpuList(facts.hybrid.core.cpus)})`
      : '';
    return assessment(
      'available',
      'instructions',
      `hardware counters available: counting instructions${hybrid}`,
    );
  }
  if (!sw?.ok) return softwareRefusal(facts, sw?.ok === false ? sw.error : 'EUNKNOWN');
  const hwErr = hw?.ok === false ? hw.error : 'EUNKNOWN';
  if (hwErr === 'EACCES') {
    return assessment(
      'permission-denied',
      'task-clock',
      `hardware counters refused (EACCES) at kernel.perf_event_paranoid=${facts.paranoid}; falling back to task-clock (CPU time)`,
      PARANOID_FIX,
    );
  }
  return assessment(
    'no-pmu',
    'task-clock',
    `no hardware PMU visible (instructions: ${hwErr}); falling back to task-clock (CPU time), which is far noisier than instruction counts`,
    'typical of cloud VMs and GitHub-hosted runners; use a bare-metal self-hosted runner (or a VM with a virtual PMU) to count instructions',
  );
}

/** Not even the software clock opens: permissions, a seccomp profile, or something else. */
function softwareRefusal(facts: ProbeFacts, err: string): Assessment {
  if (err === 'EACCES') {
    return assessment(
      'permission-denied',
      null,
      `perf_event_open refused (EACCES) at kernel.perf_event_paranoid=${facts.paranoid}`,
      PARANOID_FIX,
    );
  }
  if (err === 'EPERM') {
    return assessment(
      'blocked',
      null,
      'perf_event_open is blocked (EPERM): a seccomp profile or security module forbids it',
      'in Docker run with --cap-add PERFMON (Docker >= 23) or a seccomp profile that allows perf_event_open',
    );
  }
  return assessment('unsupported-os', null, `perf_event_open(task-clock) failed: ${err}`);
}

export function probe(): ProbeReport {
  return assessProbe(gatherProbeFacts());
}
