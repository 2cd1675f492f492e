import { describe, expect, it } from 'vitest';
import { errorMessage } from '../src/errors.js';

describe('errorMessage', () => {
  it('always gives a string, whatever was thrown', () => {
    expect(errorMessage(new Error('boom'))).toBe('boom');
    expect(errorMessage('plain')).toBe('plain');
    expect(errorMessage({ code: 7 })).toBe('{"code":7}');
    // The analysis failing with no target failure recorded once reached .split on undefined.
    expect(errorMessage(undefined)).toBe('undefined');
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(typeof errorMessage(cyclic)).toBe('string');
  });
});
