import { describe, expect, it } from 'vitest';
import { parseConfig, withSimulatedDefaults } from '../../src/config/index.js';

const base =
  'workload: w.jsonl\nbefore: { cwd: a, start: node s.js }\nafter: { cwd: b, start: node s.js }\n';
const load = (measure: string) =>
  withSimulatedDefaults(parseConfig(`${base}measure: { ${measure} }\n`, '/repo/perfgate.yml'));

describe('the simulated counter’s defaults', () => {
  it('takes fewer rounds, requests and warm-up, and ends blocks with a minor collection', () => {
    const { measure, ready } = load('counter: simulated');
    expect(measure.rounds).toBe(3);
    expect(measure.maxRounds).toBe(6);
    expect(measure.requests).toBe(24);
    expect(measure.warmup).toMatchObject({ mode: 'auto', min: 30, max: 600 });
    expect(measure.gc).toBe('block');
    expect(ready.timeoutMs).toBeGreaterThanOrEqual(180_000);
  });

  it('keeps what the file sets', () => {
    expect(load('counter: simulated, rounds: 5, gc: off').measure).toMatchObject({
      rounds: 5,
      maxRounds: 10,
      gc: 'off',
    });
    expect(load('counter: simulated, max-rounds: 2').measure).toMatchObject({
      rounds: 2,
      maxRounds: 2,
    });
    expect(load('counter: simulated, max-rounds: 12').measure).toMatchObject({
      rounds: 3,
      maxRounds: 12,
    });
  });

  it('leaves other counters alone', () => {
    expect(load('counter: task-clock').measure).toMatchObject({ rounds: 10, maxRounds: 20 });
  });

  it('refuses an unknown collection mode, naming the key', () => {
    expect(() => load('counter: simulated, gc: always')).toThrow(/gc/);
  });
});
