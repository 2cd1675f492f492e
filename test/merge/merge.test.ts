import { describe, expect, it } from 'vitest';
import { analyze } from '../../src/analysis/index.js';
import { mergeShards, MergeProblem, type ShardFile } from '../../src/merge/index.js';
import { parseCpuInfo } from '../../src/proc/cpuinfo.js';
import type { AnalysisOptions } from '../../src/analysis/types.js';
import type { SampleSet } from '../../src/samples/types.js';
import { endEvent } from '../analysis/simulate.js';
import { ENDPOINTS, split, whole } from './shards.js';

const OPTIONS: AnalysisOptions = {
  thresholds: { default: 0.1, endpoints: {} },
  alpha: 0.05,
  confidence: 0.95,
  onInconclusive: 'pass',
};

const problem = (files: ShardFile[]): MergeProblem => {
  try {
    mergeShards(files);
  } catch (error) {
    expect(error).toBeInstanceOf(MergeProblem);
    return error as MergeProblem;
  }
  throw new Error('expected the merge to refuse');
};

/** A shard file with its header changed by `edit`. */
const edited = (f: ShardFile, edit: (h: NonNullable<SampleSet['header']>) => void): ShardFile => {
  const header = structuredClone(f.set.header!);
  edit(header);
  return { file: f.file, set: { ...f.set, header } };
};

describe('mergeShards', () => {
  it('gives exactly the analysis of the unsharded samples: one Holm family, one weighted total', () => {
    const set = whole();
    const unsharded = analyze(set, { ...OPTIONS, sequential: { plan: [8], look: 0 } });
    const merged = mergeShards(split(set, 3).reverse());
    const result = analyze(merged.set, { ...OPTIONS, sequential: merged.sequential });
    expect(merged.files).toEqual([
      'shard-1/samples.jsonl',
      'shard-2/samples.jsonl',
      'shard-3/samples.jsonl',
    ]);
    expect(result.endpoints).toEqual(unsharded.endpoints);
    expect(result.total).toEqual(unsharded.total);
    expect(result.verdict).toBe(unsharded.verdict);
    expect(result.summary).toBe(unsharded.summary);
    const verdicts = Object.fromEntries(result.endpoints.map((e) => [e.endpoint, e.verdict]));
    expect(verdicts['GET /api/search']).toBe('regression');
    expect(verdicts['GET /api/products/:id']).toBe('improvement');
    expect(result.counts).toMatchObject({ regression: 1, improvement: 1 });
    expect(merged.set.header!.shard).toBeUndefined();
    expect(merged.set.header!.workload.endpoints).toEqual(ENDPOINTS.map((e) => e.name));
    expect(merged.warnings).toEqual([]);
  });

  it('refuses a missing shard, naming it', () => {
    const files = split(whole(), 3);
    const p = problem([files[0]!, files[2]!]);
    expect(p.message).toBe(
      'shard 2/3 missing (got 1, 3): a verdict without it would pass endpoints nobody measured',
    );
  });

  it('refuses a shard given twice, naming both files', () => {
    const files = split(whole(), 3);
    const twice = { ...files[1]!, file: 'again/samples.jsonl' };
    expect(problem([...files, twice]).message).toBe(
      'shard 2/3 is given 2 times: shard-2/samples.jsonl, again/samples.jsonl',
    );
  });

  it('refuses shards of another build, another workload or another counter', () => {
    const files = split(whole(), 3);
    const otherBuild = edited(files[2]!, (h) => (h.builds.after.commit = 'c'.repeat(40)));
    expect(problem([files[0]!, files[1]!, otherBuild]).message).toBe(
      `shard-3/samples.jsonl (shard 3) measured another after build than shard-1/samples.jsonl (shard 1): commit cccccccccccc, start 'node server.js' vs commit bbbbbbbbbbbb, start 'node server.js'`,
    );
    const otherWorkload = edited(files[1]!, (h) => (h.workload.sha256 = 'f'.repeat(64)));
    expect(problem([files[0]!, otherWorkload, files[2]!]).message).toMatch(
      /^shard-2\/samples.jsonl \(shard 2\) measured another workload than shard-1/,
    );
    const otherCounter = edited(
      files[1]!,
      (h) => (h.counter = { ...h.counter, name: 'task-clock' }),
    );
    expect(problem([files[0]!, otherCounter, files[2]!]).message).toMatch(/with another counter/);
    const otherCount = edited(files[1]!, (h) => (h.shard!.count = 4));
    expect(problem([files[0]!, otherCount, files[2]!]).message).toMatch(
      /^the shards disagree on how many shards there are/,
    );
  });

  it('refuses shards that split the workload differently, and files that are not shards', () => {
    const files = split(whole(), 3);
    const overlap = edited(files[1]!, (h) =>
      h.workload.endpoints.push(files[0]!.set.header!.workload.endpoints[0]!),
    );
    expect(problem([files[0]!, overlap, files[2]!]).message).toMatch(
      /^endpoint '.+' was measured by shards 1 and 2$/,
    );
    const less = edited(files[2]!, (h) => (h.workload.endpoints = h.workload.endpoints.slice(1)));
    const p = problem([files[0]!, files[1]!, { ...less, set: { ...less.set, samples: [] } }]);
    expect(p.message).toMatch(/^no shard measured '/);
    const plain = edited(files[0]!, (h) => delete h.shard);
    expect(problem([plain, files[1]!, files[2]!]).message).toBe(
      "shard-1/samples.jsonl: not a shard's samples (its header has no shard)",
    );
  });

  it('names shards on different CPU models, and an unfinished shard leaves the merge incomplete', () => {
    const files = split(whole(), 3);
    const other = edited(files[1]!, (h) => (h.machine = { cpuModel: 'Other CPU', flags: [] }));
    const merged = mergeShards([files[0]!, other, files[2]!]);
    expect(merged.warnings).toEqual([
      "shards ran on different CPU models (shard 1, 3 on Test CPU; shard 2 on Other CPU): each endpoint's change is measured within one machine, but costs and the total compare machines that differ",
    ]);
    expect(merged.set.header!.machine).toBeUndefined();
    const cut = { ...files[2]!, set: { ...files[2]!.set, events: [] } };
    const partial = mergeShards([files[0]!, files[1]!, cut]);
    const result = analyze(partial.set, { ...OPTIONS, sequential: partial.sequential });
    expect(result.verdict).toBe('error');
    expect(result.run.complete).toBe(false);
    expect(result.warnings.map((w) => w.message).join('\n')).toContain(
      'shard 3 was cut short (no end marker)',
    );
  });

  it('tests at the latest look any shard reached', () => {
    const files = split(whole(), 2).map((f) => edited(f, (h) => (h.shard!.looks = [4, 8])));
    files[0] = { ...files[0]!, set: { ...files[0]!.set, events: [{ ...endEvent(4) }] } };
    expect(mergeShards(files).sequential).toEqual({ plan: [4, 8], look: 1 });
    files[1] = { ...files[1]!, set: { ...files[1]!.set, events: [{ ...endEvent(4) }] } };
    expect(mergeShards(files).sequential).toEqual({ plan: [4, 8], look: 0 });
  });
});

describe('parseCpuInfo', () => {
  it('reads the first processor: model, sorted flags, microcode', () => {
    const text = [
      'processor\t: 0',
      'model name\t: AMD EPYC 7763 64-Core Processor',
      'microcode\t: 0xa0011d1',
      'flags\t\t: sse2 avx2 fpu avx2',
      '',
      'processor\t: 1',
      'model name\t: Something else',
      'flags\t\t: other',
    ].join('\n');
    expect(parseCpuInfo(text)).toEqual({
      cpuModel: 'AMD EPYC 7763 64-Core Processor',
      flags: ['avx2', 'fpu', 'sse2'],
      microcode: '0xa0011d1',
    });
    expect(parseCpuInfo('processor : 0\nFeatures : fp asimd evtstrm\n\n').flags).toEqual([
      'asimd',
      'evtstrm',
      'fp',
    ]);
  });
});
