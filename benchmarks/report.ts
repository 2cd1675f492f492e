// The benchmark figures as markdown: a machine line and one small table per group.

import type { AnalysisSpeed } from './analysis-speed.js';
import type { ConfigSummary, Detection, ThresholdSummary } from './detection.js';
import type { Overhead } from './overhead.js';
import type { ReadCost } from './read-cost.js';
import { table as recorderTable, type Measured } from './recorder.js';
import { REGRESSED, UNITS } from './synthetic.js';

export interface Machine {
  date: string;
  mode: 'quick' | 'full';
  cpuModel: string;
  cores: number;
  kernel: string;
  node: string;
  counter: string;
  counterNote?: string;
  loadAverage: { start: number[]; end: number[] };
  durationS: number;
}

export interface Figures {
  machine: Machine;
  readCost: ReadCost;
  overhead: Overhead;
  detection: Detection;
  analysisSpeed: AnalysisSpeed;
  /** The recorders' CPU overhead (bench:recorder's CPU-time measurement, fewer rounds). */
  recorder?: { rounds: number; cpu: Measured };
}

const int = (x: number) => Math.round(x).toLocaleString('en-US');
const pct = (x: number | null, digits = 1) =>
  x === null ? '—' : `${x > 0 ? '+' : ''}${(x * 100).toFixed(digits)} %`;
const plain = (x: number) => `${(x * 100).toFixed(1)} %`;
const mult = (m: number) => `×${m}`;

function table(head: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(head), line(head.map(() => '---')), ...rows.map(line)].join('\n');
}

function verdicts(c: ConfigSummary): string {
  const order = ['regression', 'inconclusive', 'unchanged', 'improvement', 'error'] as const;
  return order.flatMap((v) => (c.bVerdicts[v] ? [`${c.bVerdicts[v]} ${v}`] : [])).join(', ');
}

function powerTable(s: ThresholdSummary): string {
  const rows = s.configs.map((c) => {
    const aa = c.multiplier === 1;
    return [
      aa ? 'A/A' : `b ${mult(c.multiplier)}`,
      aa ? '—' : `${pct(c.nominal, 0)} / ${pct(c.expected)}`,
      plain(c.threshold),
      `${c.runs}${c.errors ? ` (${c.errors} errors)` : ''}`,
      aa ? '—' : `${c.detected}`,
      aa ? '—' : plain(c.power),
      `${c.falseFails}`,
      verdicts(c),
      pct(c.bChange),
      c.bWidth === null ? '—' : plain(c.bWidth),
    ];
  });
  return table(
    [
      'config',
      'b: nominal / expected change',
      'θ (b)',
      'runs',
      'detected',
      'power',
      'false fails',
      'b verdicts',
      'b mean estimate',
      'b CI width (median)',
    ],
    rows,
  );
}

function calibration(d: Detection): string[] {
  return [
    `What \`perfgate calibrate\` suggests: \`calibrate()\` over all A/A runs pooled, planned for ` +
      `${d.rounds} rounds (noise = SD of the per-round log ratios, detectable = the change found ` +
      'with 90 % power). The rows below analyse the same samples again at these thresholds, so ' +
      'their A/A row is in-sample.',
    '',
    table(
      ['endpoint', 'noise σ', 'detectable', 'suggested θ'],
      d.calibration.map((r) => [
        r.endpoint,
        r.noise === null ? '—' : plain(r.noise),
        r.detectable === null ? '—' : plain(r.detectable),
        plain(r.suggested),
      ]),
    ),
    '',
  ];
}

export function renderMarkdown(f: Figures): string {
  const { machine: m, readCost: rc, overhead: o, detection: d, analysisSpeed: a } = f;
  const fit = d.costFit;
  const wall = d.wallPerMeasuredCpu;
  const out: string[] = [];
  out.push(
    `## perfgate benchmarks (${m.mode}, ${m.date})`,
    '',
    `${m.cpuModel}, ${m.cores} cores, Linux ${m.kernel}, Node ${m.node}; counter ${m.counter}` +
      `${m.counterNote ? ` (${m.counterNote})` : ''}; load average ${m.loadAverage.start[0]!.toFixed(2)}` +
      ` at start, ${m.loadAverage.end[0]!.toFixed(2)} at end; ${Math.round(m.durationS)} s in all.`,
    '',
    '### 1. Counter read cost',
    '',
    table(
      ['target', `ns per group read (${rc.counter.join(', ')})`],
      [
        ['idle (sleep), buffer read', int(rc.idleNs)],
        ['busy (spinning), buffer read', int(rc.busyNs)],
        ['idle, allocating read()', int(rc.idleObjectNs)],
      ],
    ),
    '',
    `${int(rc.reads)} reads each.`,
    '',
    '### 2. Harness overhead',
    '',
    table(
      ['figure', 'value'],
      [
        ['bare kept-alive serial client', `${int(o.bareRps)} req/s`],
        ['replay under counters', `${int(o.replayRps)} req/s`],
        ['ratio (target ≥ 0.9)', o.ratio.toFixed(3)],
        [
          'gate wall time per unit of measured server CPU',
          `${wall.median.toFixed(1)}× (median; ${wall.min.toFixed(1)}–${wall.max.toFixed(1)}×)`,
        ],
        ['gate wall time (median)', `${(wall.gateWallMsMedian / 1000).toFixed(1)} s`],
      ],
    ),
    '',
    `Throughput: medians of ${o.reps} alternating repetitions of ${o.requests} requests on one ` +
      `server process. Wall time per server CPU: over ${d.runs.length} full gate runs, the gate's wall ` +
      'time divided by the CPU time both builds spent on measured requests (Σ sample values).',
    '',
    '### 3. Detection power and false alarms',
    '',
    `${d.rounds} rounds, warm-up 2, passes 1, α = ${d.alpha} family-wise (Holm over 4 endpoints); ` +
      `regression injected into ${REGRESSED} only (×1.5 added to show where detection begins). ` +
      'False fails: A/A, any endpoint a regression; A/B, any endpoint besides b a regression. ' +
      'Expected change = nominal · work(b) / cost(b)' +
      (fit
        ? `: from the A/A runs, cost ≈ ${int(fit.interceptNs / 1000)} µs + ${(fit.nsPerUnit / 1000).toFixed(2)} µs/unit, ` +
          `b ≈ ${int(fit.bCostNs / 1000)} µs per request, so b shows ` +
          `${((fit.nsPerUnit * UNITS[REGRESSED]!) / fit.bCostNs).toFixed(2)} of its nominal change.`
        : '.'),
    '',
  );
  for (const s of d.byThreshold) {
    const aa = s.configs[0]!;
    out.push(
      `#### Threshold: ${s.label}`,
      '',
      ...(s.label === 'calibrated' ? calibration(d) : []),
      powerTable(s),
      '',
      `A/A family-wise false-fail rate: ${aa.falseFails}/${aa.runs - aa.errors} = ` +
        `${plain(s.familyWiseFalseFail)} (nominal α ${plain(d.alpha)}). ` +
        `Smallest regression detected with ≥ 90 % power: ` +
        `${s.smallestDetected90 === null ? 'none of the sizes tried' : `b ${mult(s.smallestDetected90)}`}.`,
      '',
    );
  }
  out.push(
    '### 4. Analysis speed',
    '',
    table(
      ['samples', 'endpoints', 'rounds', 'ms', 'samples/s'],
      [[int(a.samples), `${a.endpoints}`, `${a.rounds}`, int(a.ms), int(a.samplesPerSecond)]],
    ),
    '',
  );
  if (f.recorder) out.push(...recorderSection(f.recorder));
  return out.join('\n');
}

function recorderSection(r: NonNullable<Figures['recorder']>): string[] {
  const out = [
    '### 5. Recorder overhead',
    '',
    `CPU time against no recorder, side by side: ${r.rounds} rounds of fresh servers, pinned to ` +
      'one CPU, memory layout drawn at random per process (`npm run bench:recorder` for more).',
    '',
  ];
  const { node, python, django, pythonSkipped } = r.cpu;
  // One heading level below this section's.
  const sub = (t: string) => t.replace(/^### /, '#### ');
  if (node) out.push(sub(recorderTable('Node: node:http + perfgate/recorder', node, 'ns')));
  if (python)
    out.push(sub(recorderTable('Python: gunicorn (1 sync worker) + PerfgateWSGI', python, 'ns')));
  if (django)
    out.push(sub(recorderTable('Python: the Django example + RecorderMiddleware', django, 'ns')));
  if (pythonSkipped) out.push(`Python skipped: ${pythonSkipped}`, '');
  return out;
}
