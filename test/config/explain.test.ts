// perfgate.yml's `explain`: a mode, or a mapping with the profiling pass's sizes and time cap.

import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { parseConfig } from '../../src/config/index.js';

const explain = (text: string) => parseConfig(text, '/repo/perfgate.yml').explain;

function failure(text: string): ConfigError {
  try {
    parseConfig(text, '/repo/perfgate.yml');
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('explain in perfgate.yml', () => {
  it('defaults to auto (the regressed endpoints) with a 5-minute cap', () => {
    expect(explain('alpha: 0.05')).toEqual({
      mode: 'auto',
      warmup: 300,
      requests: 200,
      maxDurationMs: 300_000,
    });
  });

  it('takes off, all, or a mapping', () => {
    expect(explain('explain: off').mode).toBe('off');
    expect(explain('explain: all').mode).toBe('all');
    expect(explain('explain: { endpoints: all, requests: 50, max-duration: 90s }')).toEqual({
      mode: 'all',
      warmup: 300,
      requests: 50,
      maxDurationMs: 90_000,
    });
  });

  it('names the line and the key of a bad value', () => {
    const e = failure('alpha: 0.05\nexplain: sometimes\n');
    expect(e.line).toBe(2);
    expect(e.message).toBe(
      "/repo/perfgate.yml:line 2: explain.endpoints: expected one of auto, off, all; got 'sometimes'",
    );
    expect(failure('explain: { endpoint: all }').message).toContain(
      'explain.endpoint: unknown key',
    );
    const m = failure('explain:\n  endpoints: all\n  requests: 0\n');
    expect(m.line).toBe(3);
    expect(m.path).toBe('explain.requests');
    expect(m.message).toContain('expected a positive integer');
  });
});
