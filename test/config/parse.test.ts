import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { loadConfig, parseConfig, ProblemsError } from '../../src/config/index.js';

const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/config');

/** The ConfigError parseConfig throws for `text`. */
function failure(text: string, file = '/repo/perfgate.yml'): ConfigError {
  try {
    parseConfig(text, file);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('parseConfig', () => {
  it('reads a complete config, resolving paths against its folder', async () => {
    const file = path.join(fixtures, 'project/perfgate.yml');
    const config = await loadConfig(file);
    const dir = path.join(fixtures, 'project');
    expect(config.file).toBe(file);
    expect(config.dir).toBe(dir);
    expect(config.workload).toBe(path.join(dir, 'perf/workload.jsonl'));
    expect(config.before).toEqual({ ref: 'origin/main', build: 'npm ci', start: 'node server.js' });
    expect(config.after).toEqual({ cwd: dir, build: 'npm ci', start: 'node server.js' });
    expect(config.ready).toEqual({ kind: 'http', path: '/healthz', timeoutMs: 60_000 });
    expect(config.env).toEqual({ NODE_ENV: 'production', WORKERS: '2' });
    expect(config.headers).toEqual({ Authorization: 'Bearer ${TEST_TOKEN}', 'X-Tenant': 'acme' });
    expect(config.routes).toEqual(['/users/:id', '/api/items/:id/reviews']);
    expect(config.redact).toEqual({ headers: ['X-Api-Key'], query: ['ticket'] });
    expect(config.measure).toEqual({
      counter: 'auto',
      threads: 'main',
      nodeFlags: '--hash-seed=1 --random-seed=1',
      gc: 'block',
      rounds: 10,
      warmup: { mode: 'fixed', requests: 2 },
      requests: 80,
      maxRounds: 20,
      maxDurationMs: 1_200_000,
      aslr: false,
      settleMs: 5,
      compare: 'status',
      cpus: 'auto',
    });
    expect(config.thresholds).toEqual({
      default: 0.03,
      endpoints: { 'GET /api/search': 0.1, 'POST /api/*': 0.005 },
    });
    expect(config.alpha).toBe(0.05);
    expect(config.confidence).toBe(0.9);
    expect(config.onRegression).toBe('annotate');
    expect(config.onInconclusive).toBe('fail');
    expect(config.lines['measure.rounds']).toBe(12);
    expect(config.lines['headers.Authorization']).toBe(7);
  });

  it('fills in defaults for an empty file', () => {
    const config = parseConfig('', '/repo/perfgate.yml');
    expect(config.workload).toBeUndefined();
    expect(config.before).toBeUndefined();
    expect(config.ready).toEqual({ kind: 'port', timeoutMs: 60_000 });
    expect(config.measure).toEqual({
      counter: 'auto',
      threads: 'main',
      nodeFlags: '--hash-seed=1 --random-seed=1',
      gc: 'block',
      rounds: 10,
      warmup: { mode: 'auto', min: 200, max: 3000, maxTimeMs: 60_000 },
      requests: 80,
      maxRounds: 20,
      maxDurationMs: 15 * 60_000,
      aslr: false,
      settleMs: 0,
      compare: 'status',
      cpus: 'auto',
    });
    expect(config.thresholds).toEqual({ default: 0.03, endpoints: {} });
    expect(config.alpha).toBe(0.05);
    expect(config.confidence).toBe(0.95);
    expect(config.onRegression).toBe('fail');
    expect(config.onInconclusive).toBe('pass');
    expect(config.redact).toEqual({ headers: [], query: [] });
  });

  it('parses a thresholds-only config (what perfgate compare needs)', async () => {
    const config = await loadConfig(path.join(fixtures, 'thresholds-only.yml'));
    expect(config.thresholds).toEqual({ default: 0.05, endpoints: { 'GET /api/*': 0.02 } });
    expect(config.alpha).toBe(0.01);
    expect(config.onInconclusive).toBe('fail');
    expect(config.workload).toBeUndefined();
  });

  it('measure.cpus: auto, all, a CPU number or a CPU list', () => {
    const cpus = (v: string) => parseConfig(`measure: { cpus: ${v} }`, 'p.yml').measure.cpus;
    expect(cpus('all')).toBe('all');
    expect(cpus('3')).toEqual([3]);
    expect(cpus('"0-2,5"')).toEqual([0, 1, 2, 5]);
    expect(() => parseConfig('measure:\n  cpus: 2-x\n', 'p.yml')).toThrow(
      /p\.yml:line 2: measure\.cpus: expected auto, all or a CPU list such as 2-3: '2-x' is not/,
    );
  });

  it('measure.compare: status or body, and nothing else', () => {
    expect(parseConfig('measure: { compare: body }', 'p.yml').measure.compare).toBe('body');
    expect(() => parseConfig('measure:\n  compare: bodies\n', 'p.yml')).toThrow(
      /p\.yml:line 2: measure\.compare: /,
    );
  });

  it('max-rounds is twice rounds unless set', () => {
    expect(parseConfig('measure: { rounds: 4 }', 'p.yml').measure.maxRounds).toBe(8);
    expect(parseConfig('measure: { rounds: 4, max-rounds: 4 }', 'p.yml').measure.maxRounds).toBe(4);
  });

  it('reads the warm-up as auto, a fixed count, or auto with limits', () => {
    const warmup = (text: string) =>
      parseConfig(`measure: { warmup: ${text} }`, 'p.yml').measure.warmup;
    expect(warmup('auto')).toEqual({ mode: 'auto', min: 200, max: 3000, maxTimeMs: 60_000 });
    expect(warmup('0')).toEqual({ mode: 'fixed', requests: 0 });
    expect(warmup('{ min: 50, max: 400, max-time: 10s }')).toEqual({
      mode: 'auto',
      min: 50,
      max: 400,
      maxTimeMs: 10_000,
    });
    expect(() => warmup('{ min: 500, max: 400 }')).toThrow(/max.*must be at least min \(500\)/s);
    expect(() => warmup('lots')).toThrow(/warmup/);
  });

  it('top-level build and start are defaults for both sides', () => {
    const config = parseConfig(
      'build: make\nstart: ./server\nbefore: { cwd: a }\nafter: { cwd: b, start: ./server --new }',
      '/repo/perfgate.yml',
    );
    expect(config.before).toEqual({ cwd: '/repo/a', build: 'make', start: './server' });
    expect(config.after).toEqual({ cwd: '/repo/b', build: 'make', start: './server --new' });
  });

  it('waits for the port when asked', () => {
    expect(parseConfig('ready: { port: true, timeout: 2m }', 'p.yml').ready).toEqual({
      kind: 'port',
      timeoutMs: 120_000,
    });
  });
});

describe('parseConfig errors', () => {
  it('names the file, key path and line of a bad value', async () => {
    const file = path.join(fixtures, 'bad-rounds.yml');
    const error = await loadConfig(file).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    const e = error as ConfigError;
    expect(e.file).toBe(file);
    expect(e.line).toBe(7);
    expect(e.path).toBe('measure.rounds');
    expect(e.message).toBe(`${file}:line 7: measure.rounds: expected a positive integer`);
  });

  it('reports an unknown key with a suggestion and its line', () => {
    const e = failure('measure:\n  rounds: 5\n  max-duraton: 5m\n');
    expect(e.line).toBe(3);
    expect(e.path).toBe('measure.max-duraton');
    expect(e.message).toContain("unknown key (did you mean 'max-duration'?)");
    expect(e.hint).toContain('max-duration');
  });

  it('reports an unknown top-level key', () => {
    const e = failure('alpha: 0.05\nthreshold:\n  default: 3%\n');
    expect(e.line).toBe(2);
    expect(e.path).toBe('threshold');
    expect(e.message).toContain("did you mean 'thresholds'?");
  });

  it('an unknown key far from every known one gets no suggestion', () => {
    const e = failure('zebra: 1\n');
    expect(e.message).toMatch(/zebra: unknown key$/);
  });

  it('refuses a bare number as a duration, with a hint', () => {
    const e = failure('ready:\n  path: /healthz\n  timeout: 60\n');
    expect(e.line).toBe(3);
    expect(e.path).toBe('ready.timeout');
    expect(e.message).toContain('expected a duration such as 500ms, 60s, 5m or 1h');
    expect(e.hint).toBe("add a unit, e.g. '60s' or '60ms'");
  });

  it('refuses a malformed duration', () => {
    const e = failure('measure: { max-duration: 20 minutes }');
    expect(e.path).toBe('measure.max-duration');
    expect(e.message).toContain("got '20 minutes'");
  });

  it('refuses a bare number as a percentage, with a hint', () => {
    const e = failure('thresholds:\n  default: 0.03\n');
    expect(e.line).toBe(2);
    expect(e.path).toBe('thresholds.default');
    expect(e.message).toContain("expected a percentage such as '3%'");
    expect(e.hint).toBe("write '3%' if 0.03 is a fraction, or '0.03%'");
  });

  it('names an endpoint glob with spaces in the key path', () => {
    const e = failure('thresholds:\n  endpoints:\n    "GET /api/*": 5\n');
    expect(e.line).toBe(3);
    expect(e.path).toBe('thresholds.endpoints["GET /api/*"]');
    expect(e.hint).toBe("write '5%'");
  });

  it('suggests the closest enum value', () => {
    const e = failure('on-regression: fial\n');
    expect(e.path).toBe('on-regression');
    expect(e.message).toContain(
      "expected one of fail, annotate; got 'fial' (did you mean 'fail'?)",
    );
    const c = failure('measure:\n  counter: instruction\n');
    expect(c.line).toBe(2);
    expect(c.message).toContain("did you mean 'instructions'?");
  });

  it('needs exactly one of cwd or ref', () => {
    expect(failure('before:\n  build: npm ci\n').message).toContain(
      "before: needs one of 'cwd' (a folder) or 'ref' (a git ref)",
    );
    const both = failure('after:\n  cwd: .\n  ref: main\n');
    expect(both.line).toBe(1);
    expect(both.path).toBe('after');
    expect(both.message).toContain("has both 'cwd' and 'ref'");
  });

  it('needs a ready path or port: true', () => {
    expect(failure('ready: { timeout: 5s }').message).toContain(
      "needs 'path: /healthz' or 'port: true'",
    );
    expect(failure('ready: { path: healthz }').message).toContain("starting with '/'");
  });

  it('refuses PORT and bad names in env', () => {
    const e = failure('env:\n  NODE_ENV: production\n  PORT: 8080\n');
    expect(e.line).toBe(3);
    expect(e.path).toBe('env.PORT');
    expect(e.message).toContain('PORT is set by perfgate');
  });

  it('checks ${VAR} syntax in headers when parsing', () => {
    const e = failure('headers:\n  Authorization: "Bearer ${TOKEN"\n');
    expect(e.line).toBe(2);
    expect(e.path).toBe('headers.Authorization');
    expect(e.message).toContain("unterminated '${'");
  });

  it('max-rounds may not be below rounds', () => {
    const e = failure('measure:\n  rounds: 10\n  max-rounds: 5\n');
    expect(e.line).toBe(3);
    expect(e.path).toBe('measure.max-rounds');
    expect(e.message).toContain('must be at least rounds (10)');
  });

  it('names the type it expected', () => {
    expect(failure('routes: /users/:id').message).toContain('routes: expected a list, got');
    expect(failure('measure: { aslr: maybe }').message).toContain('aslr: expected true or false');
    expect(failure('alpha: 5').message).toContain(
      'expected a number between 0 and 1 (exclusive), got 5',
    );
  });

  it('lists every problem, in line order', () => {
    const e = failure('alpha: 2\nmeasure:\n  rounds: -1\n  colour: red\n');
    expect(e).toBeInstanceOf(ProblemsError);
    const problems = (e as ProblemsError).problems;
    expect(problems.map((p) => [p.line, p.path])).toEqual([
      [1, 'alpha'],
      [3, 'measure.rounds'],
      [4, 'measure.colour'],
    ]);
    expect(e.message.split('\n')).toHaveLength(3);
    expect(e.message.split('\n')[1]).toBe(
      '/repo/perfgate.yml:line 3: measure.rounds: expected a positive integer',
    );
  });

  it('reports YAML syntax errors with file and line', () => {
    const e = failure('alpha: 0.05\nmeasure:\n  rounds: [1, 2\n');
    expect(e.file).toBe('/repo/perfgate.yml');
    expect(e.line).toBeGreaterThanOrEqual(3);
    expect(e.message).toContain('YAML syntax error');
  });

  it('reports duplicate keys', () => {
    const e = failure('alpha: 0.05\nalpha: 0.1\n');
    expect(e.line).toBe(2);
    expect(e.message).toContain('unique');
  });

  it('refuses a file that is not a mapping', () => {
    const e = failure('- a\n- b\n');
    expect(e.line).toBe(1);
    expect(e.message).toContain('expected a mapping of settings, got a list');
  });

  it('a missing file is a ConfigError naming it', async () => {
    const error = await loadConfig('/nonexistent/perfgate.yml').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).file).toBe('/nonexistent/perfgate.yml');
    expect((error as Error).message).toContain('config file not found');
  });
});
