import { readFile, writeFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { analyze } from '../../src/analysis/analyze.js';
import type { AnalysisOptions, RunResult } from '../../src/analysis/types.js';
import { formatChange, formatCost, worstFirst } from '../../src/report/format.js';
import { renderJson, renderMarkdown, renderText } from '../../src/report/index.js';
import type { SampleSet } from '../../src/samples/types.js';
import { simulate, TASK_CLOCK } from '../analysis/simulate.js';

const OPTIONS: AnalysisOptions = {
  thresholds: { default: 0.03, endpoints: { 'GET /api/users/*': 0.05, 'GET /health': 0.1 } },
  alpha: 0.05,
  confidence: 0.95,
  onInconclusive: 'pass',
};

/** A run with one endpoint of every verdict. */
function sampleSet(
  counter?: SampleSet['header'] extends infer H
    ? H extends { counter: infer C }
      ? C
      : never
    : never,
): SampleSet {
  const set = simulate({
    seed: 2024,
    rounds: 20,
    counter,
    endpoints: [
      { name: 'GET /api/search', change: 0.12, requests: 20 },
      { name: 'GET /api/users/:id', change: 0, requests: 20, scale: 3e5 },
      { name: 'POST /api/cart', change: -0.25, requests: 20, scale: 4e6 },
      { name: 'GET /api/feed', change: 0.03, requests: 4 },
      { name: 'GET /health', change: 0, requests: 2, scale: 2e4 },
    ],
  });
  set.events.unshift({
    kind: 'mismatch',
    endpoint: 'GET /health',
    request: 1,
    round: 3,
    before: 200,
    after: 503,
  });
  return set;
}

async function golden(name: string, text: string): Promise<void> {
  const file = new URL(`../fixtures/golden/${name}`, import.meta.url);
  if (process.env.UPDATE_GOLDEN === '1') await writeFile(file, text);
  expect(text).toBe(await readFile(file, 'utf8'));
}

describe('renderers (golden files; UPDATE_GOLDEN=1 rewrites them)', () => {
  const result = analyze(sampleSet(), OPTIONS);

  it('the fixture covers every verdict', () => {
    expect(result.endpoints.map((e) => [e.endpoint, e.verdict])).toEqual([
      ['GET /api/feed', 'inconclusive'],
      ['GET /api/search', 'regression'],
      ['GET /api/users/:id', 'unchanged'],
      ['GET /health', 'error'],
      ['POST /api/cart', 'improvement'],
    ]);
  });

  it('markdown', async () => {
    await golden(
      'report.md',
      renderMarkdown(result, {
        runUrl: 'https://github.com/acme/shop/actions/runs/1',
        samplesPath: '.perfgate/run/samples.jsonl',
      }),
    );
  });

  it('markdown with the task-clock fallback banner', async () => {
    const fallback = analyze(sampleSet(TASK_CLOCK), OPTIONS);
    const text = renderMarkdown(fallback, { title: 'CPU cost' });
    expect(text).toContain('> [!WARNING]\n> Measured with task-clock (CPU time), not instructions');
    expect(text).toMatch(/ ms \|/);
    await golden('report-task-clock.md', text);
  });

  it('text', async () => {
    const text = renderText(result);
    expect(text).not.toContain('\u001b[');
    await golden('report.txt', text);
  });

  it('json is stable and ends with a newline', async () => {
    const text = renderJson(result);
    expect(JSON.parse(text)).toEqual(result);
    await golden('result.json', text);
  });
});

describe('report details', () => {
  const result = analyze(sampleSet(), OPTIONS);

  it('sorts worst first: regressions, errors, inconclusive, then by change', () => {
    expect(worstFirst(result.endpoints).map((e) => e.verdict)).toEqual([
      'regression',
      'error',
      'inconclusive',
      'unchanged',
      'improvement',
    ]);
  });

  it('formats costs in the counter unit', () => {
    expect(formatCost(1_234_567, 'instructions')).toBe('1.23M');
    expect(formatCost(4_560, 'instructions')).toBe('4.56k');
    expect(formatCost(812, 'instructions')).toBe('812');
    expect(formatCost(999_999, 'instructions')).toBe('1.00M');
    expect(formatCost(1_234, 'ns')).toBe('1.23 µs');
    expect(formatCost(45_600_000, 'ns')).toBe('45.6 ms');
    expect(formatCost(null, 'ns')).toBe('–');
  });

  it('marks changes whose interval includes zero with ~', () => {
    expect(formatChange({ estimate: 0.121, low: 0.098, high: 0.145 })).toBe(
      '+12.1% [+9.8%, +14.5%]',
    );
    expect(formatChange({ estimate: 0.001, low: -0.004, high: 0.006 })).toBe(
      '~ +0.10% [-0.40%, +0.60%]',
    );
  });

  it('colours verdicts only when asked', () => {
    expect(renderText(result, { color: true })).toContain('\u001b[31m');
  });

  it('escapes table pipes in endpoint names and says how to settle inconclusive ones', () => {
    const piped: RunResult = {
      ...result,
      endpoints: result.endpoints.map((e) => ({
        ...e,
        endpoint: e.endpoint.replace('feed', 'a|b'),
      })),
    };
    const md = renderMarkdown(piped);
    expect(md).toContain('`GET /api/a\\|b`');
    expect(md).toMatch(/≈\d+ more rounds? would settle it/);
  });

  it('explains an inconclusive endpoint whose interval clears the threshold', () => {
    const feed = result.endpoints.find((e) => e.verdict === 'inconclusive')!;
    const cleared: RunResult = {
      ...result,
      endpoints: [
        {
          ...feed,
          change: { estimate: 0.26, low: feed.threshold + 0.02, high: 0.48 },
          pAdjusted: 0.081,
        },
      ],
    };
    const text = renderText(cleared);
    expect(text).toContain(
      "is inconclusive: its interval lies above 3%, but not yet at the gate's family-wise level (Holm-adjusted p = 0.081);",
    );
    expect(renderText(result)).toMatch(
      /is inconclusive: its interval reaches the \d+% threshold; ≈/,
    );
  });
});
