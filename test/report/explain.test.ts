// The report's "which functions changed" sections: top 5 per explained endpoint, regressed
// endpoints first, names as code, the flame graph linked, the pass's wall time shown.

import { describe, expect, it } from 'vitest';
import { analyze } from '../../src/analysis/analyze.js';
import { RunResultSchema } from '../../src/analysis/result-schema.js';
import type { EndpointExplanation, ExplainRow } from '../../src/explain/index.js';
import { renderMarkdown } from '../../src/report/index.js';
import { simulate } from '../analysis/simulate.js';

function row(name: string, change: number, via: string[] = []): ExplainRow {
  return {
    function: `lib/a.js:${10 + name.length} ${name}`,
    file: 'lib/a.js',
    line: 10 + name.length,
    name,
    status: 'changed',
    self: { before: 1_000_000, after: 1_000_000 + change, change },
    inclusive: { before: 2_000_000, after: 2_000_000 + change, change },
    share: change / 1_000_000,
    via,
  };
}

function explained(endpoint: string, rows: ExplainRow[]): EndpointExplanation {
  return {
    endpoint,
    runtimes: ['node'],
    requests: { before: 200, after: 200 },
    unit: 'ns',
    scale: 'measurement',
    total: { before: 3_000_000, after: 4_000_000, change: 1_000_000 },
    rows,
    flameGraph: `explain/${endpoint.replace(/\W+/g, '-')}.html`,
    wallMs: 12_345,
  };
}

describe('explain sections in the markdown report', () => {
  const result = analyze(
    simulate({
      seed: 3,
      rounds: 6,
      endpoints: [
        { name: 'GET /quiet', change: 0 },
        { name: 'GET /search', change: 0.4 },
      ],
    }),
    {
      thresholds: { default: 0.03, endpoints: {} },
      alpha: 0.05,
      confidence: 0.95,
      onInconclusive: 'pass',
    },
  );
  const rows = [
    row('relevance', 900_000, ['lib/a.js:3 middleware']),
    ...['b', 'cc', 'ddd', 'eeee', 'fffff', 'gggggg'].map((n, i) => row(n, -1000 * (i + 1))),
    row('<img src=x>', 5),
  ];
  const withExplain = {
    ...result,
    explain: {
      mode: 'all' as const,
      method: 'V8 CPU profiler',
      endpoints: [explained('GET /quiet', [row('q', 10)]), explained('GET /search', rows)],
      skipped: [],
      wallMs: 30_000,
      warnings: ['explain: the time cap left 1 endpoint(s) unprofiled: GET /x'],
    },
  };

  it('is valid result.json', () => {
    expect(result.endpoints.find((e) => e.endpoint === 'GET /search')!.verdict).toBe('regression');
    expect(RunResultSchema.safeParse(withExplain).success).toBe(true);
    expect(RunResultSchema.safeParse({ ...withExplain, explain: { mode: 'x' } }).success).toBe(
      false,
    );
  });

  it('lists the top 5 functions, the regressed endpoint first, with the graph and wall time', () => {
    const md = renderMarkdown(withExplain);
    const search = md.indexOf('#### Why `GET /search` changed');
    const quiet = md.indexOf('#### Why `GET /quiet` changed');
    expect(search).toBeGreaterThan(0);
    expect(quiet).toBeGreaterThan(search);
    const section = md.slice(search, quiet);
    expect(section).toContain('| `lib/a.js:19 relevance` | 1.00 ms | 1.90 ms | +900 µs | 90% |');
    expect(section).toContain('`lib/a.js:3 middleware`');
    expect(section).toContain('[explain/GET-search.html](explain/GET-search.html)');
    expect(section).toContain('profiling pass 12.3 s');
    const tableRows = section.split('\n').filter((l) => l.startsWith('| `'));
    expect(tableRows).toHaveLength(5);
    expect(md).toContain('the time cap left 1 endpoint(s) unprofiled');
  });

  it('shows nothing when no endpoint was explained, and escapes function names', () => {
    expect(renderMarkdown(result)).not.toContain('Which functions changed');
    const hostile = {
      ...withExplain,
      explain: {
        ...withExplain.explain,
        endpoints: [explained('GET /search', [row('<img src=x>', 5)])],
      },
    };
    const md = renderMarkdown(hostile);
    // Inside a code span the name is inert text; nowhere outside one.
    expect(md).toContain('`lib/a.js:21 <img src=x>`');
    expect(md.split('`lib/a.js:21 <img src=x>`').join('')).not.toContain('<img');
  });
});
