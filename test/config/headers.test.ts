import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { parseConfig, resolveHeaders } from '../../src/config/index.js';

const config = parseConfig(
  [
    'headers:',
    '  Authorization: "Bearer ${TEST_TOKEN}"',
    '  X-Tenant: acme',
    '  X-Trace: "${TRACE_PREFIX}-${TRACE_ID}"',
    '  X-Literal: "cost $$5 and $${NOT_A_VAR}"',
  ].join('\n'),
  '/repo/perfgate.yml',
);

describe('resolveHeaders', () => {
  it('expands ${VAR} from the environment', () => {
    expect(
      resolveHeaders(config, { TEST_TOKEN: 't0k', TRACE_PREFIX: 'ci', TRACE_ID: '42' }),
    ).toEqual({
      Authorization: 'Bearer t0k',
      'X-Tenant': 'acme',
      'X-Trace': 'ci-42',
      'X-Literal': 'cost $$5 and ${NOT_A_VAR}',
    });
  });

  it('names the header, the variable and the line when a variable is missing', () => {
    let error: unknown;
    try {
      resolveHeaders(config, { TRACE_PREFIX: 'ci', TRACE_ID: '1' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const e = error as ConfigError;
    expect(e.line).toBe(2);
    expect(e.path).toBe('headers.Authorization');
    expect(e.message).toContain(
      "header 'Authorization' needs the environment variable TEST_TOKEN, which is not set",
    );
    expect(e.hint).toContain('export TEST_TOKEN=');
  });

  it('treats an empty variable as missing (a secret unavailable to a fork PR)', () => {
    expect(() =>
      resolveHeaders(config, { TEST_TOKEN: '', TRACE_PREFIX: 'a', TRACE_ID: 'b' }),
    ).toThrow(/TEST_TOKEN/);
  });

  it('lists every missing variable', () => {
    expect(() => resolveHeaders(config, {})).toThrow(/TEST_TOKEN[\s\S]*TRACE_PREFIX/);
  });
});
