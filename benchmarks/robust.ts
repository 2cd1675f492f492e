// npm run bench:robust [-- --quick]: a seeded simulation of per-round estimators fed into the
// gate's round-paired ratio interval (src/analysis/ratio.ts), under the replay protocol of
// issue 9: each round is a fresh before/after process pair; per endpoint per round the distinct
// requests are repeated in passes, and consecutive passes form k = 5 blocks of ≥ 16 requests.
// Which per-round value (mean, median-of-means, winsorised mean, median) keeps the interval
// narrow when one window catches background work, and which stays a mean under mix changes?
// Markdown on stdout, progress on stderr, figures in results/robust-<date>[-quick].json.

import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { changeEstimate, interval, lowerBound, pairedRatio } from '../src/analysis/ratio.js';
import { median, medianOfMeans, winsorizedMean } from '../src/analysis/robust.js';
import { createRandom, hashSeed, normalDeviate, type Random } from '../src/random.js';

const ALPHA = 0.05;
const THRESHOLD = 0.03;
const BLOCKS = 5;
const ROUND_COUNTS = [6, 10];
/** Body of a request: lognormal, median 0.8 ms, σ 0.1 on the log scale. */
const BODY_MEDIAN = 0.8;
const BODY_SIGMA = 0.1;
/** Background event (by default): 2 % of request windows catch an additive Exp(mean 15 ms). */
const EVENT_CHANCE = 0.02;
const EVENT_MEAN = 15;

/** One build's cost model. */
interface Build {
  /** Multiplier on every request's body. */
  scale: number;
  /** Share of requests taking the slow path, drawn per request. */
  slowShare: number;
  /** Or: request i takes the slow path when i mod `slowEvery` = 0 (a fixed request). */
  slowEvery?: number;
  slowFactor: number;
}

interface Scenario {
  id: string;
  label: string;
  before: Build;
  after: Build;
  /** Measured requests per endpoint per round per build (whole passes, 5 blocks). */
  requests: number;
  background: boolean;
  /** Chance that a request window catches a background event. */
  eventChance: number;
  /** σ of the per-process lognormal level (between-process noise), 0 for none. */
  levelSigma: number;
}

const plain = (scale: number): Build => ({ scale, slowShare: 0, slowFactor: 1 });
const slow = (slowShare: number, slowFactor: number): Build => ({
  scale: 1,
  slowShare,
  slowFactor,
});

// 9 distinct requests per endpoint, 2 passes per block: 5 × 18 = 90 requests. The fixed slow
// request uses 8 distinct requests: 5 × 16 = 80, one slow request per pass.
const SCENARIOS: Scenario[] = [
  s('outlier', '(a) ×1.5, background events', plain(1), plain(1.5)),
  s('power', '(b) ×1.10, background events', plain(1), plain(1.1)),
  s('clean', '(b′) ×1.10, no background (floor)', plain(1), plain(1.1), { background: false }),
  s('aa', '(c) A/A, background events', plain(1), plain(1)),
  s('mix8', '(d) slow path 10× in 1 of 8 (random)', plain(1), slow(1 / 8, 10)),
  s('mix8fixed', '(d′) slow path 10× on 1 fixed request of 8', plain(1), {
    ...slow(0, 10),
    slowEvery: 8,
  }),
  s('mixmild', '(d″) slow path 10× 15 % → 20 %', slow(0.15, 10), slow(0.2, 10)),
  s('rare', '(e) slow path 20× in 1 of 100', plain(1), slow(0.01, 20)),
  s('levelaa', '(f) A/A, process level σ 0.05', plain(1), plain(1), { levelSigma: 0.05 }),
  s('level', '(f′) ×1.10, process level σ 0.05', plain(1), plain(1.1), { levelSigma: 0.05 }),
  // Sensitivity: background events in 5 % of windows, so a 9-request block catches one 37 % of
  // the time and an 18-request block 60 %: where median-of-means stops helping.
  s('busyaa', '(g) A/A, events in 5 % of windows', plain(1), plain(1), { eventChance: 0.05 }),
  s('busy', '(g′) ×1.10, events in 5 % of windows', plain(1), plain(1.1), { eventChance: 0.05 }),
  // A trade: the typical request 5 % dearer, the 10× slow path cut from 15 % to 10 % of requests.
  // The mean falls; a test on the typical request alone would call it a regression.
  s('trade', '(h) typical ×1.05, slow path 15 % → 10 %', slow(0.15, 10), {
    ...slow(0.1, 10),
    scale: 1.05,
  }),
];
for (const sc of SCENARIOS) if (sc.after.slowEvery !== undefined) sc.requests = 80;

function s(
  id: string,
  label: string,
  before: Build,
  after: Build,
  options: Partial<Pick<Scenario, 'background' | 'eventChance' | 'levelSigma'>> = {},
): Scenario {
  return {
    id,
    label,
    before,
    after,
    requests: 90,
    background: options.background ?? true,
    eventChance: options.eventChance ?? EVENT_CHANCE,
    levelSigma: options.levelSigma ?? 0,
  };
}

/** Expected cost per request: body (slow path included) and body plus background. */
function expectedCost(build: Build, sc: Scenario): { body: number; total: number } {
  const share = build.slowEvery !== undefined ? 1 / build.slowEvery : build.slowShare;
  const body =
    BODY_MEDIAN *
    Math.exp((BODY_SIGMA * BODY_SIGMA) / 2) *
    build.scale *
    (1 + share * (build.slowFactor - 1));
  return { body, total: body + (sc.background ? sc.eventChance * EVENT_MEAN : 0) };
}

/** One process's requests in one round: body alone (the oracle's view) and as measured. */
function drawRound(
  random: Random,
  build: Build,
  sc: Scenario,
): { body: number[]; measured: number[] } {
  const level = sc.levelSigma > 0 ? Math.exp(sc.levelSigma * normalDeviate(random)) : 1;
  const body: number[] = [];
  const measured: number[] = [];
  for (let i = 0; i < sc.requests; i++) {
    const slowPath =
      build.slowEvery !== undefined ? i % build.slowEvery === 0 : random() < build.slowShare;
    const cost =
      BODY_MEDIAN *
      build.scale *
      Math.exp(BODY_SIGMA * normalDeviate(random)) *
      (slowPath ? build.slowFactor : 1);
    const event =
      sc.background && random() < sc.eventChance ? -EVENT_MEAN * Math.log(1 - random()) : 0;
    body.push(cost * level);
    measured.push((cost + event) * level);
  }
  return { body, measured };
}

const mean = (values: readonly number[]) => values.reduce((a, v) => a + v, 0) / values.length;

/** A per-round estimator: the round's requests (as measured, and body alone) → one value. */
type Estimator = (round: { body: number[]; measured: number[] }) => number;

// MOMk: blocks of 90/k requests. MOM5 is the protocol's 5 blocks of 2 passes; MOM10 is one pass
// per block; MOM18 and MOM30 split passes (blocks of 5 and 3). ORACLE sees the body without
// background events: the floor no estimator can beat.
const ESTIMATORS: Record<string, Estimator> = {
  MEAN: (r) => mean(r.measured),
  MOM5: (r) => medianOfMeans(r.measured, 5),
  MOM10: (r) => medianOfMeans(r.measured, 10),
  MOM18: (r) => medianOfMeans(r.measured, 18),
  MOM30: (r) => medianOfMeans(r.measured, 30),
  WINS10: (r) => winsorizedMean(r.measured, 0.1),
  MEDIAN: (r) => median(r.measured),
  ORACLE: (r) => mean(r.body),
};
const NAMES = Object.keys(ESTIMATORS);

/**
 * Two tests on one endpoint. 'and': regression only if both declare it, each at α (size ≤ α).
 * 'or': regression if either does, each at α/2 (Bonferroni: family-wise size ≤ α).
 */
const GATES: { name: string; rule: 'and' | 'or'; tests: [string, string] }[] = [
  { name: 'MEAN∧MOM5 (α each)', rule: 'and', tests: ['MEAN', 'MOM5'] },
  { name: 'MEAN∨MOM5 (α/2 each)', rule: 'or', tests: ['MEAN', 'MOM5'] },
  { name: 'MEAN∨MOM10 (α/2 each)', rule: 'or', tests: ['MEAN', 'MOM10'] },
  { name: 'MEAN∨MEDIAN (α/2 each)', rule: 'or', tests: ['MEAN', 'MEDIAN'] },
];
const GATED = new Set(GATES.flatMap((g) => g.tests));

interface Row {
  scenario: string;
  label: string;
  rounds: number;
  estimator: string;
  /** True change in the mean cost of the request's own work (background excluded). */
  truth: number;
  /** True change in the mean measured cost, background events included. */
  truthWithBackground: number;
  meanEstimate: number | null;
  bias: number | null;
  medianWidth: number | null;
  /** Share of 90 % intervals that hold `truth`. */
  coverage: number | null;
  /** Share of replications with L(α) > θ: regression declared. */
  failRate: number;
  /** Share with L(α) > 0: at A/A the one-sided size, nominal α. */
  positiveRate: number;
}

function simulate(sc: Scenario, rounds: number, reps: number): Row[] {
  const random = createRandom(hashSeed(`robust/${sc.id}/R${rounds}`));
  const before = expectedCost(sc.before, sc);
  const after = expectedCost(sc.after, sc);
  const truth = after.body / before.body - 1;
  const truthWithBackground = after.total / before.total - 1;
  const stats = new Map(
    NAMES.map((n) => [
      n,
      { est: [] as number[], width: [] as number[], cover: 0, fail: 0, pos: 0 },
    ]),
  );
  const gates = new Map(GATES.map((g) => [g.name, { fail: 0, pos: 0 }]));

  for (let rep = 0; rep < reps; rep++) {
    // Common random numbers: every estimator sees the same requests in a replication.
    const values = new Map(NAMES.map((n) => [n, { a: [] as number[], b: [] as number[] }]));
    for (let r = 0; r < rounds; r++) {
      const a = drawRound(random, sc.before, sc);
      const b = drawRound(random, sc.after, sc);
      for (const n of NAMES) {
        values.get(n)!.a.push(ESTIMATORS[n]!(a));
        values.get(n)!.b.push(ESTIMATORS[n]!(b));
      }
    }
    const lower = new Map<string, { l: number; lHalf: number }>();
    for (const n of NAMES) {
      const e = pairedRatio(values.get(n)!.a, values.get(n)!.b);
      const ci = interval(e, 1 - 2 * ALPHA);
      const st = stats.get(n)!;
      st.est.push(changeEstimate(e));
      st.width.push(ci.high - ci.low);
      if (ci.low <= truth && truth <= ci.high) st.cover++;
      // The 90 % interval's low end is L(α = 0.05), the gate's bound; α/2 only for the gates.
      const l = ci.low;
      if (l > THRESHOLD) st.fail++;
      if (l > 0) st.pos++;
      lower.set(n, { l, lHalf: GATED.has(n) ? lowerBound(e, ALPHA / 2) : Number.NaN });
    }
    for (const g of GATES) {
      const [x, y] = g.tests.map((n) => lower.get(n)!) as [
        { l: number; lHalf: number },
        { l: number; lHalf: number },
      ];
      const counts = gates.get(g.name)!;
      const declares = (bound: number) =>
        g.rule === 'and' ? x.l > bound && y.l > bound : x.lHalf > bound || y.lHalf > bound;
      if (declares(THRESHOLD)) counts.fail++;
      if (declares(0)) counts.pos++;
    }
  }

  const base = { scenario: sc.id, label: sc.label, rounds, truth, truthWithBackground };
  const rows: Row[] = NAMES.map((n) => {
    const st = stats.get(n)!;
    const meanEstimate = mean(st.est);
    return {
      ...base,
      estimator: n,
      meanEstimate,
      bias: meanEstimate - truth,
      medianWidth: median(st.width),
      coverage: st.cover / reps,
      failRate: st.fail / reps,
      positiveRate: st.pos / reps,
    };
  });
  for (const [name, g] of gates)
    rows.push({
      ...base,
      estimator: name,
      meanEstimate: null,
      bias: null,
      medianWidth: null,
      coverage: null,
      failRate: g.fail / reps,
      positiveRate: g.pos / reps,
    });
  return rows;
}

const pct = (x: number | null, digits = 1) =>
  x === null ? '—' : `${x >= 0 ? '+' : '−'}${Math.abs(100 * x).toFixed(digits)}`;
const pp = (x: number | null) => (x === null ? '—' : (100 * x).toFixed(1));
const rate = (x: number | null) => (x === null ? '—' : x.toFixed(2));

/** One row per scenario × estimator; each cell gives R = 6 / R = 10 (ROUND_COUNTS). */
function renderMarkdown(rows: Row[], reps: number): string {
  const rc = ROUND_COUNTS.join(' / ');
  const lines = [
    `## Per-round estimators in the round-paired ratio interval (${reps} replications each)`,
    '',
    `Each cell: R = ${rc} rounds. FAIL: one-sided lower bound L(α = ${ALPHA}) > θ = ${100 * THRESHOLD} %`,
    `(the 90 % interval's low end). Truth: change in the mean cost of the request's own work, and`,
    `in brackets with background events included (what a plain mean converges to). Coverage: share`,
    `of 90 % intervals holding the truth. L>0: share with L(α) > 0; at A/A the one-sided size,`,
    `nominal ${ALPHA}. Monte-Carlo SE of a rate p: √(p(1−p)/${reps}) ≤ ${(0.5 / Math.sqrt(reps)).toFixed(3)}.`,
    '',
    `| scenario (truth %; with bg %) | estimator | mean estimate % | median CI width pp | coverage | FAIL | L>0 |`,
    '|---|---|---|---|---|---|---|',
  ];
  const groups = new Map<string, Row[]>();
  for (const r of rows) {
    const key = `${r.scenario}/${r.estimator}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  const cells = (g: Row[], f: (r: Row) => string) => g.map(f).join(' / ');
  for (const g of groups.values()) {
    const first = g[0]!;
    const scenario = `${first.label} (${pct(first.truth)}; ${pct(first.truthWithBackground)})`;
    lines.push(
      `| ${scenario} | ${first.estimator} | ${cells(g, (r) => pct(r.meanEstimate))} | ${cells(g, (r) => pp(r.medianWidth))} | ${cells(g, (r) => rate(r.coverage))} | ${cells(g, (r) => rate(r.failRate))} | ${cells(g, (r) => rate(r.positiveRate))} |`,
    );
  }
  return lines.join('\n');
}

function parseArgs(argv: string[]): { quick: boolean; reps: number | null } {
  let quick = false;
  let reps: number | null = null;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--quick') quick = true;
    else if (a === '--reps') {
      const n = Number(argv[++i]);
      if (!Number.isInteger(n) || n < 100) usage(`--reps needs an integer ≥ 100, got ${argv[i]}`);
      reps = n;
    } else if (a === '--help' || a === '-h') usage(null);
    else usage(`unknown argument ${a}`);
  }
  return { quick, reps };
}

function usage(error: string | null): never {
  if (error) console.error(`perfgate bench:robust: ${error}`);
  console.error('usage: npm run bench:robust [-- --quick] [-- --reps N]');
  console.error('  --quick   2000 replications per scenario (default 10000)');
  process.exit(error ? 2 : 0);
}

const { quick, reps: repsArg } = parseArgs(process.argv.slice(2));
const reps = repsArg ?? (quick ? 2000 : 10_000);
const started = performance.now();
const rows: Row[] = [];
for (const rounds of ROUND_COUNTS)
  for (const sc of SCENARIOS) {
    console.error(
      `[${((performance.now() - started) / 1000).toFixed(0).padStart(4)} s] ${sc.id} R=${rounds}`,
    );
    rows.push(...simulate(sc, rounds, reps));
  }
// Scenario-major order reads better: both round counts of one scenario together.
rows.sort(
  (x, y) =>
    SCENARIOS.findIndex((sc) => sc.id === x.scenario) -
      SCENARIOS.findIndex((sc) => sc.id === y.scenario) || x.rounds - y.rounds,
);
console.log(renderMarkdown(rows, reps));

const date = new Date().toISOString().slice(0, 10);
const dir = join(dirname(fileURLToPath(import.meta.url)), 'results');
mkdirSync(dir, { recursive: true });
const file = join(dir, `robust-${date}${quick ? '-quick' : ''}.json`);
const figures = {
  date: new Date().toISOString(),
  mode: quick ? 'quick' : 'full',
  replications: reps,
  alpha: ALPHA,
  threshold: THRESHOLD,
  blocks: BLOCKS,
  model: {
    bodyMedianMs: BODY_MEDIAN,
    bodySigma: BODY_SIGMA,
    eventChance: EVENT_CHANCE,
    eventMeanMs: EVENT_MEAN,
  },
  scenarios: SCENARIOS,
  rows,
  seconds: (performance.now() - started) / 1000,
};
writeFileSync(file, `${JSON.stringify(figures, null, 2)}\n`);
console.error(`wrote ${file} in ${figures.seconds.toFixed(1)} s`);
