// Shards' samples → one sample set, as if one runner had measured every endpoint. Pure. The merge
// fails closed: a missing or duplicated shard, shards of another workload, build, counter or plan
// are errors, because a verdict over part of the endpoints would read as a pass for the rest.
// Each endpoint's before and after were measured on one machine, so pooling the shards' raw
// samples keeps every pairing within a machine; only the run total spans machines.

import type { SampleSet, SamplesEvent, SamplesHeader, ShardInfo } from '../samples/types.js';

/** A shard's samples file that cannot be merged: the message names the file(s) at fault. */
export class MergeProblem extends Error {
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'MergeProblem';
  }
}

export interface ShardFile {
  file: string;
  set: SampleSet;
}

export interface MergedShards {
  set: SampleSet;
  /** The looks the shards planned and the latest one any shard reached, for the alpha spent. */
  sequential: { plan: number[]; look: number };
  /** Shard files in index order. */
  files: string[];
  /** Things the report should say: shards on different CPUs, say. */
  warnings: string[];
}

type Sharded = { file: string; set: SampleSet; header: SamplesHeader; shard: ShardInfo };

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

function shardOf(f: ShardFile): Sharded {
  const header = f.set.header;
  if (!header) throw new MergeProblem(`${f.file}: no samples header, so not a shard's samples`);
  if (!header.shard) {
    throw new MergeProblem(
      `${f.file}: not a shard's samples (its header has no shard)`,
      "measure each shard with 'perfgate run --shard i/n'",
    );
  }
  return { ...f, header, shard: header.shard };
}

/** Every shard of one count present exactly once. */
function checkCoverage(shards: Sharded[]): void {
  const counts = [...new Set(shards.map((s) => s.shard.count))];
  if (counts.length > 1) {
    const list = shards.map((s) => `${s.file} is ${s.shard.index}/${s.shard.count}`).join(', ');
    throw new MergeProblem(`the shards disagree on how many shards there are: ${list}`);
  }
  const count = counts[0]!;
  const byIndex = new Map<number, string[]>();
  for (const s of shards)
    byIndex.set(s.shard.index, [...(byIndex.get(s.shard.index) ?? []), s.file]);
  for (const [index, files] of [...byIndex].sort(([a], [b]) => a - b)) {
    if (files.length > 1) {
      throw new MergeProblem(
        `shard ${index}/${count} is given ${files.length} times: ${files.join(', ')}`,
        'give each shard once (upload each under its own artifact name)',
      );
    }
  }
  const missing = Array.from({ length: count }, (_, i) => i + 1).filter((i) => !byIndex.has(i));
  if (missing.length > 0) {
    const got = [...byIndex.keys()].sort((a, b) => a - b).join(', ');
    throw new MergeProblem(
      `shard${missing.length > 1 ? 's' : ''} ${missing.map((i) => `${i}/${count}`).join(', ')} missing ` +
        `(got ${got}): a verdict without ${missing.length > 1 ? 'them' : 'it'} would pass endpoints nobody measured`,
      'check that every shard job finished and uploaded its samples',
    );
  }
}

function buildId(h: SamplesHeader, side: 'before' | 'after'): string {
  const b = h.builds[side];
  return b.commit ? `commit ${b.commit.slice(0, 12)}` : b.ref ? `ref ${b.ref}` : `cwd ${b.cwd}`;
}

/** What must be equal across shards, each with the words that say how they differ. */
function checkSameRun(first: Sharded, other: Sharded): void {
  const a = first.header;
  const b = other.header;
  const differ = (what: string, x: string, y: string, hint?: string) => {
    throw new MergeProblem(
      `${other.file} (shard ${other.shard.index}) measured ${what} than ${first.file} (shard ${first.shard.index}): ${y} vs ${x}`,
      hint ?? 'merge only the shards of one workflow run',
    );
  };
  if (a.workload.sha256 !== b.workload.sha256 || !same(a.shard!.of, b.shard!.of)) {
    differ(
      'another workload',
      `sha256 ${a.workload.sha256.slice(0, 12)}`,
      `sha256 ${b.workload.sha256.slice(0, 12)}`,
    );
  }
  for (const side of ['before', 'after'] as const) {
    const x = a.builds[side];
    const y = b.builds[side];
    if (x.commit !== y.commit || x.ref !== y.ref || x.start !== y.start) {
      differ(
        `another ${side} build`,
        `${buildId(a, side)}, start '${x.start}'`,
        `${buildId(b, side)}, start '${y.start}'`,
      );
    }
  }
  if ((a.mode ?? 'a-b') !== (b.mode ?? 'a-b'))
    differ('another mode', a.mode ?? 'a-b', b.mode ?? 'a-b');
  if (a.counter.name !== b.counter.name || a.counter.kernel !== b.counter.kernel) {
    differ(
      'with another counter',
      a.counter.name,
      b.counter.name,
      'give every shard runner the same counter (measure.counter), or none has a PMU',
    );
  }
  if (!same(a.shard!.looks, b.shard!.looks)) {
    differ(
      'with other measure settings',
      `looks at [${a.shard!.looks.join(', ')}] rounds`,
      `looks at [${b.shard!.looks.join(', ')}] rounds`,
    );
  }
  if (!same(a.workload.weights, b.workload.weights)) {
    differ('another traffic mix', 'one set of weights', 'another');
  }
}

/** Each endpoint of the workload measured by exactly one shard. */
function checkPartition(shards: Sharded[]): void {
  const owner = new Map<string, number>();
  for (const s of shards) {
    for (const e of s.header.workload.endpoints) {
      const prior = owner.get(e);
      if (prior !== undefined) {
        throw new MergeProblem(
          `endpoint '${e}' was measured by shards ${prior} and ${s.shard.index}`,
          'run every shard with the same --balance file (or none), so they split the workload alike',
        );
      }
      owner.set(e, s.shard.index);
    }
  }
  for (const s of shards) {
    for (const sample of s.set.samples) {
      if (!owner.has(sample.endpoint) || owner.get(sample.endpoint) !== s.shard.index) {
        throw new MergeProblem(
          `${s.file}: a sample of '${sample.endpoint}', which is not in this shard's endpoints`,
        );
      }
    }
  }
  const unmeasured = shards[0]!.shard.of.filter((e) => !owner.has(e));
  if (unmeasured.length > 0) {
    throw new MergeProblem(
      `no shard measured ${unmeasured.map((e) => `'${e}'`).join(', ')}`,
      'run every shard with the same --balance file (or none), so they split the workload alike',
    );
  }
}

/** Names shards whose CPUs differ: their counts are not comparable, though each pairing is. */
function machineWarnings(shards: Sharded[]): string[] {
  const model = (s: Sharded) =>
    s.header.machine?.cpuModel ?? s.header.platform?.cpuModel ?? 'an unknown CPU';
  const groups = new Map<string, number[]>();
  for (const s of shards) groups.set(model(s), [...(groups.get(model(s)) ?? []), s.shard.index]);
  const warnings: string[] = [];
  if (groups.size > 1) {
    const list = [...groups].map(([m, ix]) => `shard ${ix.join(', ')} on ${m}`).join('; ');
    warnings.push(
      `shards ran on different CPU models (${list}): each endpoint's change is measured within one machine, but costs and the total compare machines that differ`,
    );
  } else {
    const flags = new Set(shards.map((s) => (s.header.machine?.flags ?? []).join(' ')));
    const micro = new Set(shards.map((s) => s.header.machine?.microcode ?? ''));
    if (flags.size > 1 || micro.size > 1) {
      warnings.push(
        `shards ran on one CPU model with different ${flags.size > 1 ? 'feature flags' : 'microcode'}: costs compare machines that may run different code paths`,
      );
    }
  }
  return warnings;
}

/** The look a shard stopped at: the first planned look that covers the rounds it measured. */
function lookOf(s: Sharded, plan: number[]): number {
  const end = lastEnd(s.set);
  const rounds = end?.rounds ?? 0;
  const i = plan.findIndex((r) => r >= rounds);
  return i < 0 ? plan.length - 1 : i;
}

function lastEnd(set: SampleSet): Extract<SamplesEvent, { kind: 'end' }> | undefined {
  return set.events.findLast((e): e is Extract<SamplesEvent, { kind: 'end' }> => e.kind === 'end');
}

/** One end event for all: complete only when every shard completed. */
function mergedEnd(shards: Sharded[]): Extract<SamplesEvent, { kind: 'end' }> {
  const reasons: string[] = [];
  let at = '';
  let rounds = 0;
  let wallMs = 0;
  let complete = true;
  for (const s of shards) {
    const end = lastEnd(s.set);
    if (!end) {
      complete = false;
      reasons.push(`shard ${s.shard.index} was cut short (no end marker)`);
      continue;
    }
    if (!end.complete) {
      complete = false;
      reasons.push(`shard ${s.shard.index} stopped early${end.reason ? `: ${end.reason}` : ''}`);
    }
    if (end.at > at) at = end.at;
    rounds = Math.max(rounds, end.rounds);
    wallMs = Math.max(wallMs, end.wallMs);
  }
  return {
    kind: 'end',
    at,
    complete,
    ...(reasons.length > 0 ? { reason: reasons.join('; ') } : {}),
    rounds,
    wallMs,
  };
}

export function mergeShards(files: ShardFile[]): MergedShards {
  if (files.length === 0) throw new MergeProblem('no samples files to merge');
  const shards = files.map(shardOf);
  checkCoverage(shards);
  shards.sort((a, b) => a.shard.index - b.shard.index);
  const first = shards[0]!;
  for (const s of shards.slice(1)) checkSameRun(first, s);
  checkPartition(shards);

  const warnings = machineWarnings(shards);
  const { shard: _shard, machine, ...base } = first.header;
  const startedAt = shards.map((s) => s.header.startedAt).sort()[0]!;
  const header: SamplesHeader = {
    ...base,
    startedAt,
    // One machine for all, or none to name.
    ...(machine && warnings.length === 0 ? { machine } : {}),
    rounds: Math.max(...shards.map((s) => s.header.rounds)),
    workload: {
      ...first.header.workload,
      requests: shards.reduce((n, s) => n + s.header.workload.requests, 0),
      endpoints: [...first.shard.of],
    },
  };
  const events: SamplesEvent[] = shards.flatMap((s) =>
    s.set.events.filter((e) => e.kind !== 'end'),
  );
  events.push(mergedEnd(shards));
  const plan = first.shard.looks;
  return {
    set: { header, samples: shards.flatMap((s) => s.set.samples), events },
    sequential: { plan, look: Math.max(...shards.map((s) => lookOf(s, plan))) },
    files: shards.map((s) => s.file),
    warnings,
  };
}
