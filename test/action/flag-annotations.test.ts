import { describe, expect, it } from 'vitest';
import { annotate } from '../../src/action/publish/annotations.js';
import { renderMarkdown } from '../../src/report/index.js';
import type { FlagResult, RunResult } from '../../src/analysis/types.js';
import { fakeCore } from './fake-core.js';
import { endpoint, runResult } from './results.js';

function withFlags(onFlagRegression: 'fail' | 'annotate'): RunResult {
  const costly: FlagResult = {
    flag: 'review-sentiment',
    delivery: 'file',
    from: 'false',
    to: 'true',
    source: 'file',
    status: 'measured',
    endpoints: [
      endpoint('GET /api/products/:id/reviews', 'regression'),
      endpoint('GET /api/search', 'unchanged'),
    ],
    counts: { regression: 1, improvement: 0, unchanged: 1, inconclusive: 0, error: 0 },
    rounds: 8,
    warnings: [],
  };
  const quiet: FlagResult = {
    ...costly,
    flag: 'checkout-banner',
    endpoints: [endpoint('GET /api/search', 'unchanged')],
    counts: { regression: 0, improvement: 0, unchanged: 1, inconclusive: 0, error: 0 },
  };
  return {
    ...runResult('fail', [endpoint('GET /api/search', 'unchanged')]),
    flags: { onFlagRegression, flags: [costly, quiet], skipped: [], family: 3 },
  };
}

describe('the flag matrix in the action', () => {
  it('annotates a flag regression with the flag and endpoint, an error under fail', () => {
    const core = fakeCore();
    annotate(core, withFlags('fail'));
    const errors = core.lines.filter((l) => l.level === 'error');
    expect(errors.map((l) => l.title)).toEqual([
      'flag review-sentiment: GET /api/products/:id/reviews',
    ]);
    expect(errors[0]!.message).toMatch(
      /^with review-sentiment false → true, against the after build at defaults: regression/,
    );
    expect(core.lines.some((l) => l.message.includes('checkout-banner'))).toBe(false);
  });

  it('a warning under on-flag-regression: annotate', () => {
    const core = fakeCore();
    annotate(core, withFlags('annotate'));
    expect(core.lines.filter((l) => l.level === 'error')).toEqual([]);
    expect(core.lines.filter((l) => l.level === 'warning').map((l) => l.title)).toEqual([
      'flag review-sentiment: GET /api/products/:id/reviews',
    ]);
  });

  it('the PR comment carries the flags section: the costly flag on its endpoint, the quiet one in a line', () => {
    const md = renderMarkdown(withFlags('fail'));
    const section = md.slice(md.indexOf('### Flags'));
    expect(section).toContain(
      '| `review-sentiment` (false → true) | `GET /api/products/:id/reviews` | 1.20M | 1.34M | **+12.1% [+9.8%, +14.5%]** | 3% | 🔴 regression |',
    );
    expect(section).toContain(
      '| `checkout-banner` (false → true) | no endpoint changed beyond its threshold (1 unchanged) |',
    );
    expect(section).toContain('Holm over 3 comparisons');
  });
});
