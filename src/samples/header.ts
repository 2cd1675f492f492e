// The samples header: everything needed to know later what was measured, and how.

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { RunnableConfig } from '../config/index.js';
import type { CounterChoice } from '../counters/choice.js';
import type { ProbeReport } from '../counters/probe.js';
import type { PreparedMatrix } from '../flags/index.js';
import { readMachine } from '../proc/cpuinfo.js';
import { VERSION } from '../version.js';
import { endpointWeights } from '../workload/weights.js';
import type { ShardSelection, Workload } from '../workload/index.js';
import type { Build, BuildInfo, SamplesHeader } from './types.js';

export interface HeaderFacts {
  config: RunnableConfig;
  counter: CounterChoice;
  seed: number;
  noAslr: boolean;
  aa: boolean;
  report: ProbeReport;
  builds: Record<Build, { cwd: string; ref?: string; commit?: string }>;
  workload: Workload;
  requests: number;
  placement: { cpus: string | null; pmu: string | null };
  shard: ShardSelection | undefined;
  looks: number[];
  matrix: PreparedMatrix | undefined;
  simulated: SamplesHeader['simulated'];
}

export function samplesHeader(f: HeaderFacts): SamplesHeader {
  const { config, report } = f;
  return {
    kind: 'header',
    version: 1,
    tool: { name: 'perfgate', version: VERSION },
    startedAt: new Date().toISOString(),
    counter: f.counter,
    seed: f.seed,
    rounds: config.measure.rounds,
    warmup: config.measure.warmup,
    requests: config.measure.requests,
    aslr: !f.noAslr,
    workload: {
      path: config.workload,
      requests: f.requests,
      endpoints: f.shard?.endpoints ?? f.workload.endpoints,
      sha256: createHash('sha256').update(readFileSync(config.workload)).digest('hex'),
      weights: endpointWeights(f.workload.requests),
    },
    builds: { before: buildInfo(f, 'before'), after: buildInfo(f, 'after') },
    mode: f.aa ? 'a-a' : 'a-b',
    platform: {
      os: report.platform,
      arch: report.arch,
      kernel: report.kernel,
      cpus: report.cpus,
      cpuModel: report.cpuModel,
    },
    ...(f.placement.cpus || f.placement.pmu ? { placement: f.placement } : {}),
    machine: readMachine(),
    ...(f.shard ? { shard: { ...f.shard.info, looks: f.looks } } : {}),
    ...flagsOf(f.matrix),
    ...(f.simulated ? { simulated: f.simulated } : {}),
  };
}

function buildInfo(f: HeaderFacts, side: Build): BuildInfo {
  const b = f.builds[side];
  return {
    cwd: b.cwd,
    start: f.config[side].start,
    ...(b.ref ? { ref: b.ref } : {}),
    ...(b.commit ? { commit: b.commit } : {}),
  };
}

function flagsOf(matrix: PreparedMatrix | undefined): Pick<SamplesHeader, 'flags'> {
  if (!matrix || matrix.flags.length === 0) return {};
  return {
    flags: matrix.flags.map((m) => ({
      name: m.flag,
      delivery: m.delivery,
      from: m.from,
      to: m.to,
      source: m.source,
    })),
  };
}
