// The flag matrix's analysis: each flag's configuration of the after build against the after
// build at defaults, measured in the same rounds, with the same statistics as the gate's own
// comparison. A flag is charged with an endpoint's change only by its own comparison; every
// (flag, endpoint) test joins the before/after endpoints in one Holm family.

import type { FlagInfo, Sample, SampleSet, SamplesEvent } from '../samples/types.js';
import { warning } from './warnings.js';
import { analyze } from './analyze.js';
import { countVerdicts, percent, plural, SUMMARY_LIMIT, thresholdPercent } from './summary.js';
import type {
  AnalysisOptions,
  EndpointResult,
  FlagResult,
  FlagsSection,
  OverallVerdict,
  RunResult,
} from './types.js';

export interface FlagAnalysisOptions extends AnalysisOptions {
  onFlagRegression: 'fail' | 'annotate';
  /** Flags of the flag file left out of the matrix, for the report. */
  skipped?: { flag: string; reason: string }[];
}

type Relabel<T> = T extends { build: unknown } ? T : never;

/** The after build at defaults as `before`, the configuration with `flag` as `after`. */
export function flagSampleSet(set: SampleSet, flag: string): SampleSet {
  const side = (s: { build: string; flag?: string }): 'before' | 'after' | undefined => {
    if (s.build !== 'after') return undefined;
    if (s.flag === undefined) return 'before';
    return s.flag === flag ? 'after' : undefined;
  };
  const samples: Sample[] = [];
  for (const s of set.samples) {
    const build = side(s);
    if (!build) continue;
    const { flag: _flag, ...rest } = s;
    samples.push({ ...rest, build });
  }
  const events: SamplesEvent[] = [];
  for (const e of set.events) {
    if (e.kind === 'warmup' || e.kind === 'error') {
      const build = side(e);
      if (!build) continue;
      const { flag: _flag, ...rest } = e as Relabel<typeof e> & { flag?: string };
      events.push({ ...rest, build } as SamplesEvent);
    } else if (e.kind === 'mismatch') {
      if (e.flag !== flag) continue;
      const { flag: _flag, ...rest } = e;
      events.push(rest);
    } else if (e.kind !== 'flag-dropped') {
      events.push(e);
    }
  }
  const header = set.header && {
    ...set.header,
    builds: { before: set.header.builds.after, after: set.header.builds.after },
    mode: 'a-b' as const,
  };
  if (header) delete header.flags;
  return { header, samples, events };
}

/** When the budget stopped measuring a flag, and why. */
function droppedFlags(set: SampleSet): Map<string, string> {
  const out = new Map<string, string>();
  for (const e of set.events) {
    if (e.kind === 'flag-dropped') for (const f of e.flags) out.set(f, e.reason);
  }
  return out;
}

const judgedP = (r: RunResult) =>
  r.endpoints.filter((e) => e.p !== null).map((e) => e.p!) as number[];

function notAfforded(info: FlagInfo, reason: string): FlagResult {
  return {
    ...info,
    flag: info.name,
    status: 'not-afforded',
    reason,
    endpoints: [],
    counts: countVerdicts([]),
    rounds: 0,
    warnings: [],
  };
}

function describe(flag: string, e: EndpointResult): string {
  const change = e.change ? ` ${percent(e.change.estimate)}` : '';
  return `flag ${flag}: ${e.endpoint}${change} (θ ${thresholdPercent(e.threshold)})`;
}

/** The run's one line, with the flags' regressions after the gate's own. */
function summaryWithFlags(
  result: RunResult,
  section: FlagsSection,
  verdict: OverallVerdict,
): string {
  const regressions = section.flags.flatMap((f) =>
    f.endpoints.filter((e) => e.verdict === 'regression').map((e) => describe(f.flag, e)),
  );
  const errors = section.flags.filter((f) => f.counts.error > 0).map((f) => f.flag);
  let line = result.summary;
  if (errors.length > 0 && result.verdict !== 'error') {
    line = `error: flag ${errors.join(', ')} could not be compared`;
  } else if (regressions.length > 0) {
    const head = `${plural(regressions.length, 'flag regression')}: ${regressions.join(', ')}`;
    line =
      result.verdict === 'pass' && verdict !== 'pass'
        ? head
        : `${result.summary}; ${verdict === 'pass' && section.onFlagRegression === 'annotate' ? 'annotated ' : ''}${head}`;
  }
  return line.length <= SUMMARY_LIMIT ? line : `${line.slice(0, SUMMARY_LIMIT - 1)}…`;
}

/**
 * The gate's analysis with the flag matrix: the before/after result, its `flags` section, and
 * the overall verdict. Without flags in the samples header it is `analyze` unchanged.
 */
export function analyzeWithFlags(set: SampleSet, options: FlagAnalysisOptions): RunResult {
  const infos = set.header?.flags ?? [];
  const { onFlagRegression, skipped = [], ...base } = options;
  if (infos.length === 0) return analyze(set, base);
  const dropped = droppedFlags(set);
  const measured = infos.filter((f) => !dropped.has(f.name));
  const sets = measured.map((f) => flagSampleSet(set, f.name));

  // First pass: each comparison's raw p-values (they do not depend on the family).
  const first = [analyze(set, base), ...sets.map((s) => analyze(s, base))];
  const raws = first.map(judgedP);
  const others = (i: number) => raws.flatMap((p, j) => (j === i ? [] : p));
  // Second pass: Holm over every comparison of the run at once.
  const main = analyze(set, { ...base, jointP: others(0) });
  const byFlag = new Map(
    measured.map((f, i) => [f.name, analyze(sets[i]!, { ...base, jointP: others(i + 1) })]),
  );

  const flags: FlagResult[] = infos.map((info) => {
    const r = byFlag.get(info.name);
    if (!r) return notAfforded(info, dropped.get(info.name)!);
    return {
      flag: info.name,
      delivery: info.delivery,
      from: info.from,
      to: info.to,
      source: info.source,
      status: 'measured',
      endpoints: r.endpoints,
      counts: r.counts,
      rounds: r.run.rounds,
      // The run-wide notes (counter fallback, look alpha) are the gate's; keep the flag's own.
      warnings: r.warnings.filter((w) => !main.warnings.some((m) => m.message === w.message)),
    };
  });
  const section: FlagsSection = {
    onFlagRegression,
    flags,
    skipped,
    family: raws.reduce((n, p) => n + p.length, 0),
  };

  let verdict: OverallVerdict = main.verdict;
  const flagErrors = flags.some((f) => f.counts.error > 0);
  const flagRegressions = flags.some((f) => f.counts.regression > 0);
  const flagOpen = flags.some((f) => f.counts.inconclusive > 0);
  if (verdict !== 'error') {
    if (flagErrors) verdict = 'error';
    else if (
      onFlagRegression === 'fail' &&
      (flagRegressions || (base.onInconclusive === 'fail' && flagOpen))
    )
      verdict = 'fail';
  }
  const warnings = [...main.warnings];
  if (dropped.size > 0) {
    warnings.push(
      warning(
        'flags-not-measured',
        `flag matrix: ${plural(dropped.size, 'configuration')} not measured within the budget (${[...dropped.keys()].join(', ')}); raise measure.max-duration to cover them`,
      ),
    );
  }
  const result: RunResult = { ...main, verdict, warnings, flags: section };
  result.summary = summaryWithFlags(main, section, verdict);
  return result;
}

/** Whether another look is worth it: an inconclusive endpoint, in the gate or in a flag. */
export function flagsNeedMoreRounds(result: RunResult): boolean {
  return (
    result.endpoints.some((e) => e.verdict === 'inconclusive') ||
    (result.flags?.flags ?? []).some((f) => f.counts.inconclusive > 0)
  );
}
