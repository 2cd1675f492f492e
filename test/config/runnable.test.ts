import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { parseConfig, requireRunnable } from '../../src/config/index.js';

describe('requireRunnable', () => {
  it('passes a config that says what to run', () => {
    const config = parseConfig(
      'workload: w.jsonl\nstart: node s.js\nbefore: { ref: main }\nafter: { cwd: . }\n',
      '/repo/perfgate.yml',
    );
    const runnable = requireRunnable(config);
    expect(runnable.before.start).toBe('node s.js');
    expect(runnable.workload).toBe('/repo/w.jsonl');
  });

  it('names every missing key', () => {
    const config = parseConfig('thresholds: { default: 3% }\n', '/repo/perfgate.yml');
    expect(() => requireRunnable(config)).toThrow(ConfigError);
    expect(() => requireRunnable(config)).toThrow(
      "perfgate run needs 'workload', 'before', 'after' in the config",
    );
  });

  it('names a missing start command and the line of its build', () => {
    const config = parseConfig(
      'workload: w.jsonl\nbefore: { ref: main, start: node s.js }\nafter:\n  cwd: .\n',
      '/repo/perfgate.yml',
    );
    let error: unknown;
    try {
      requireRunnable(config);
    } catch (e) {
      error = e;
    }
    expect((error as ConfigError).message).toBe(
      "/repo/perfgate.yml:line 3: perfgate run needs 'after.start' in the config",
    );
  });
});

describe('a run that cannot measure enough (issue 12)', () => {
  const base = 'workload: w.jsonl\nstart: node s.js\nbefore: { ref: main }\nafter: { cwd: . }\n';
  const refusal = (text: string) => {
    try {
      requireRunnable(parseConfig(text, '/repo/perfgate.yml'));
    } catch (e) {
      return (e as ConfigError).message;
    }
    return 'accepted';
  };

  it('refuses rounds: 1, naming the line', () => {
    expect(refusal(`${base}measure:\n  rounds: 1\n`)).toBe(
      '/repo/perfgate.yml:line 6: measure.rounds: must be at least 2, got 1: the confidence interval comes from the spread between rounds',
    );
  });

  it('refuses max-duration: 0s, naming the line', () => {
    expect(refusal(`${base}measure:\n  max-duration: 0s\n`)).toBe(
      "/repo/perfgate.yml:line 6: measure.max-duration: must be longer than zero, got '0s'",
    );
  });
});
