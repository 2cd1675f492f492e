import { describe, expect, it } from 'vitest';
import { guardErrorAnswers } from '../../src/analysis/index.js';
import type { Sample } from '../../src/samples/index.js';
import { endpointWeights } from '../../src/workload/index.js';
import { endpoint, runResult } from '../action/results.js';

function answers(name: string, statuses: Record<'before' | 'after', number[]>): Sample[] {
  return (['before', 'after'] as const).flatMap((build) =>
    statuses[build].map((status, i) => ({
      endpoint: name,
      build,
      round: 1,
      request: i,
      status,
      value: 100,
    })),
  );
}

describe('error answers (issue 12)', () => {
  const pass = runResult('pass', [
    endpoint('GET /gone', 'unchanged'),
    endpoint('GET /flaky', 'unchanged'),
    endpoint('GET /ok', 'unchanged'),
  ]);
  const samples = [
    ...answers('GET /gone', { before: [404, 404], after: [501, 404] }),
    ...answers('GET /flaky', { before: [500, 500, 200], after: [500, 200, 200] }),
    ...answers('GET /ok', { before: [200, 200], after: [200, 201] }),
  ];

  it('fails closed when an endpoint answers only errors in both builds', () => {
    const guarded = guardErrorAnswers(pass, samples);
    expect(guarded.verdict).toBe('error');
    const gone = guarded.endpoints.find((e) => e.endpoint === 'GET /gone')!;
    expect(gone.verdict).toBe('error');
    expect(gone.warnings[0]).toMatch(/^answered only HTTP errors \(4xx\/5xx\) in both builds/);
    expect(guarded.counts).toMatchObject({ error: 1, unchanged: 2 });
    expect(guarded.summary).toMatch(/^error: 1 endpoint could not be compared: GET \/gone/);
  });

  it('warns loudly about an endpoint that answered mostly errors', () => {
    const guarded = guardErrorAnswers(pass, samples);
    expect(guarded.warnings).toContainEqual({
      code: 'http-errors',
      message:
        'GET /flaky: 67% of answers before and 33% after were HTTP errors; its cost is mostly that of error pages',
    });
  });

  it('lets allow-errors name endpoints whose answer is an error by design', () => {
    const guarded = guardErrorAnswers(pass, samples, ['GET /gone']);
    expect(guarded.verdict).toBe('pass');
    expect(guarded.endpoints.every((e) => e.verdict === 'unchanged')).toBe(true);
  });

  it('leaves a run without error answers alone', () => {
    const ok = answers('GET /ok', { before: [200], after: [200] });
    expect(guardErrorAnswers(pass, ok)).toBe(pass);
  });
});

describe('endpointWeights', () => {
  it('keeps shares when the weights sum beyond the largest double', () => {
    expect(
      endpointWeights([
        { endpoint: 'GET /a', weight: 1e308 },
        { endpoint: 'GET /b', weight: 1e308 },
        { endpoint: 'GET /c', weight: 1 },
      ]),
    ).toEqual({ 'GET /a': 0.5, 'GET /b': 0.5, 'GET /c': 5e-309 });
  });
});
