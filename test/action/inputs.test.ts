import { describe, expect, it } from 'vitest';
import {
  InputError,
  parseBoolean,
  parseDuration,
  parseInputs,
  type InputContext,
} from '../../src/action/inputs.js';
import { Inputs } from '../../src/action/names.js';

const push: InputContext = {
  eventName: 'push',
  pullRequest: undefined,
  deploymentId: undefined,
  runnerTemp: '/runner/_temp',
};

const pr: InputContext = {
  ...push,
  eventName: 'pull_request',
  pullRequest: {
    number: 42,
    baseSha: 'base000',
    headSha: 'head000',
    headRepo: 'acme/shop',
    baseRepo: 'acme/shop',
  },
};

const parse = (inputs: Record<string, string>, context: InputContext = push) =>
  parseInputs((name) => inputs[name] ?? '', context);

const failure = (inputs: Record<string, string>, context: InputContext = push): string => {
  try {
    parse(inputs, context);
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return (error as Error).message;
  }
  throw new Error('expected parseInputs to throw');
};

describe('parseInputs', () => {
  it('fills every default when nothing is given', () => {
    expect(parse({})).toEqual({
      configPath: 'perfgate.yml',
      workload: undefined,
      beforeRef: undefined,
      beforeRefSource: 'config',
      onRegression: undefined,
      githubToken: '',
      comment: true,
      statusContext: 'perfgate',
      deploymentId: undefined,
      maxDurationMs: undefined,
      allowUntrusted: false,
      outDir: '/runner/_temp/perfgate',
      historyBranch: undefined,
      historyPath: 'perfgate-history.jsonl',
      mode: 'run',
      shard: undefined,
      balance: undefined,
      samples: [],
    });
  });

  it('refuses a history branch git would read as an option or a range', () => {
    expect(() => parse({ 'history-branch': '--force' })).toThrow(
      /input 'history-branch' must be a plain git name/,
    );
    expect(() => parse({ 'history-path': 'a/../b' })).toThrow(/input 'history-path'/);
  });

  it('reads every input', () => {
    const inputs = parse({
      config: ' ci/perfgate.yml ',
      workload: 'traffic/prod.jsonl',
      'before-ref': 'origin/main',
      'on-regression': 'annotate',
      'github-token': 'ghs_secret',
      comment: 'false',
      'status-context': 'perfgate / shop',
      'deployment-id': '12',
      'max-duration': '1h30m',
      'allow-untrusted': 'TRUE',
      'out-dir': 'out',
      'history-branch': 'perfgate-history',
      'history-path': 'data/history.jsonl',
      shard: ' 2/3 ',
      balance: 'last/result.json',
    });
    expect(inputs).toEqual({
      configPath: 'ci/perfgate.yml',
      workload: 'traffic/prod.jsonl',
      beforeRef: 'origin/main',
      beforeRefSource: 'input',
      onRegression: 'annotate',
      githubToken: 'ghs_secret',
      comment: false,
      statusContext: 'perfgate / shop',
      deploymentId: 12,
      maxDurationMs: 5_400_000,
      allowUntrusted: true,
      outDir: 'out',
      historyBranch: 'perfgate-history',
      historyPath: 'data/history.jsonl',
      mode: 'run',
      shard: { index: 2, count: 3 },
      balance: 'last/result.json',
      samples: [],
    });
  });

  it('reads mode: merge with its samples, one per line', () => {
    const inputs = parse({ mode: 'merge', samples: 'shards/\n  extra/samples.jsonl\n' });
    expect(inputs.mode).toBe('merge');
    expect(inputs.samples).toEqual(['shards/', 'extra/samples.jsonl']);
  });

  it('refuses the scale-out inputs in combinations that cannot work', () => {
    expect(failure({ shard: '4/3' })).toBe("input 'shard' the shard index must be 1 to 3, got 4");
    expect(failure({ shard: 'two' })).toMatch(/^input 'shard' expected i\/n such as 2\/3/);
    expect(failure({ mode: 'merge' })).toMatch(/^input 'samples' is required with mode: merge/);
    expect(failure({ mode: 'merge', shard: '1/2', samples: 'x' })).toMatch(/not mode: merge/);
    expect(failure({ balance: 'r.json' })).toMatch(/^input 'balance' needs 'shard'/);
    expect(failure({ samples: 'x' })).toMatch(/only read with mode: merge/);
    expect(failure({ mode: 'split' })).toMatch(/^input 'mode' must be one of run, merge/);
  });

  it("defaults before-ref to the pull request's base commit", () => {
    const inputs = parse({}, pr);
    expect(inputs.beforeRef).toBe('base000');
    expect(inputs.beforeRefSource).toBe('pull-request-base');
    expect(parse({}, { ...pr, eventName: 'pull_request_target' }).beforeRef).toBe('base000');
    expect(parse({ 'before-ref': 'v1.2.0' }, pr).beforeRef).toBe('v1.2.0');
  });

  it('leaves before-ref to the config on other events, even with a pull request in the payload', () => {
    expect(parse({}, { ...pr, eventName: 'push' }).beforeRef).toBeUndefined();
  });

  it("takes the deployment event's id unless deployment-id is given", () => {
    expect(parse({}, { ...push, deploymentId: 987 }).deploymentId).toBe(987);
    expect(parse({ 'deployment-id': '5' }, { ...push, deploymentId: 987 }).deploymentId).toBe(5);
  });

  it('puts out-dir under .perfgate outside a runner', () => {
    expect(parse({}, { ...push, runnerTemp: undefined }).outDir).toBe('.perfgate/action');
  });

  it.each([
    [{ comment: 'yes' }, "input 'comment' must be true or false, got 'yes'"],
    [{ 'allow-untrusted': '1' }, "input 'allow-untrusted' must be true or false, got '1'"],
    [
      { 'on-regression': 'warn' },
      "input 'on-regression' must be one of fail, annotate (or empty), got 'warn'",
    ],
    [
      { 'max-duration': '20' },
      "input 'max-duration' must be a duration such as 500ms, 60s, 5m or 1h, got '20'",
    ],
    [
      { 'max-duration': '20 minutes' },
      "input 'max-duration' must be a duration such as 500ms, 60s, 5m or 1h, got '20 minutes'",
    ],
    [{ 'max-duration': '0s' }, "input 'max-duration' must be longer than zero, got '0s'"],
    [{ 'deployment-id': 'prod' }, "input 'deployment-id' must be a positive integer, got 'prod'"],
    [{ 'deployment-id': '0' }, "input 'deployment-id' must be a positive integer, got '0'"],
    [{ 'deployment-id': '-3' }, "input 'deployment-id' must be a positive integer, got '-3'"],
    [
      { 'before-ref': '--upload-pack=evil' },
      "input 'before-ref' must be a git ref or commit, got '--upload-pack=evil'",
    ],
    [
      { 'before-ref': 'main feature' },
      "input 'before-ref' must be a git ref or commit, got 'main feature'",
    ],
    [
      { 'before-ref': 'main..feature' },
      "input 'before-ref' must be a git ref or commit, got 'main..feature'",
    ],
    [
      { 'status-context': 'perf --> gate' },
      "input 'status-context' must be at most 100 characters without '<', '>' or '--', got 'perf --> gate'",
    ],
  ])('rejects %j', (inputs, message) => {
    expect(failure(inputs)).toBe(message);
  });

  it('says how to fix a bad input', () => {
    expect.assertions(3);
    try {
      parse({ comment: 'yes' });
    } catch (error) {
      expect((error as InputError).hint).toMatch(/with:/);
      expect((error as InputError).input).toBe(Inputs.comment);
      expect((error as InputError).kind).toBe('config');
    }
  });
});

describe('parseBoolean', () => {
  it('accepts the YAML 1.2 core booleans only', () => {
    for (const yes of ['true', 'True', 'TRUE'])
      expect(parseBoolean(Inputs.comment, yes, false)).toBe(true);
    for (const no of ['false', 'False', 'FALSE'])
      expect(parseBoolean(Inputs.comment, no, true)).toBe(false);
    expect(parseBoolean(Inputs.comment, '', true)).toBe(true);
    for (const bad of ['yes', 'no', 'on', '0', 'tRUE']) {
      expect(() => parseBoolean(Inputs.comment, bad, true)).toThrow(`got '${bad}'`);
    }
  });
});

describe('parseDuration', () => {
  it.each([
    ['20m', 1_200_000],
    ['90s', 90_000],
    ['1500ms', 1500],
    ['1h30m', 5_400_000],
    ['1.5h', 5_400_000],
    ['2m30s', 150_000],
  ])('%s is %d ms', (text, ms) => {
    expect(parseDuration(Inputs.maxDuration, text)).toBe(ms);
  });
});
