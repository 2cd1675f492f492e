// The perfgate.yml schema, in the file's own key names. One source for validation, for the
// TypeScript shape (after resolve.ts) and for the editor JSON Schema (json-schema.ts).

import { z } from 'zod';
import { didYouMean } from './suggest.js';
import { parseCpusSetting } from '../proc/cpus.js';
import { COUNTERS, DEFAULT_ROUNDS, DETERMINISTIC_NODE_FLAGS, type CpusSetting } from './types.js';
import {
  DURATION_PATTERN,
  PERCENT_PATTERN,
  describe,
  parseDuration,
  parsePercent,
  parsePositiveDuration,
  type ValueResult,
} from './values.js';
import { checkTemplate } from './template.js';

/** RFC 9110 token: what a header name or method may contain. */
export const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** `/users/:id` or `POST /items/:id/reviews`. */
const ROUTE = /^(?:[A-Za-z]+ +)?\/\S*$/;

// A value parsed by one of values.ts's readers; the hint travels in the issue's params.
function reading(read: (input: unknown) => ValueResult, meta: Record<string, unknown>) {
  return z
    .unknown()
    .transform((input, ctx) => {
      const result = read(input);
      if (result.ok) return result.value;
      ctx.addIssue({ code: 'custom', message: result.message, params: { hint: result.hint } });
      return z.NEVER;
    })
    .meta(meta);
}

const duration = (description: string) =>
  reading(parseDuration, { type: 'string', pattern: DURATION_PATTERN, description });
/** A duration where 0 is meaningless: a budget, or a timeout (`hint` says what 0 would do). */
const positiveDuration = (description: string, hint?: string) =>
  reading((input) => parsePositiveDuration(input, hint), {
    type: 'string',
    pattern: DURATION_PATTERN,
    description,
  });
const percent = (description: string) =>
  reading(parsePercent, { type: 'string', pattern: PERCENT_PATTERN, description });

const text = (description: string) =>
  z
    .string({ error: (iss) => `expected a string, got ${describe(iss.input)}` })
    .trim()
    .min(1, { error: 'must not be empty' })
    .meta({ description });

const positiveInt = (description: string) =>
  z
    .int({ error: 'expected a positive integer' })
    .min(1, { error: 'expected a positive integer' })
    .meta({ description });

const nonNegativeInt = (description: string) =>
  z
    .int({ error: 'expected an integer of 0 or more' })
    .min(0, { error: 'expected an integer of 0 or more' })
    .meta({ description });

const fraction = (description: string) =>
  z
    .number({ error: (iss) => `expected a number between 0 and 1, got ${describe(iss.input)}` })
    .gt(0, {
      error: (iss) => `expected a number between 0 and 1 (exclusive), got ${String(iss.input)}`,
    })
    .lt(1, {
      error: (iss) => `expected a number between 0 and 1 (exclusive), got ${String(iss.input)}`,
    })
    .meta({ description });

function oneOf<const T extends readonly [string, ...string[]]>(values: T, description: string) {
  return z
    .enum(values, {
      error: (iss) => {
        const got = typeof iss.input === 'string' ? iss.input : undefined;
        return `expected one of ${values.join(', ')}; got ${describe(iss.input)}${got ? didYouMean(got, values) : ''}`;
      },
    })
    .meta({ description });
}

/** `auto`, `all`, or a CPU list: `2`, `2-3`, `0,2,4-7`. */
const cpusSchema = z
  .unknown()
  .transform((input, ctx): CpusSetting => {
    const value = typeof input === 'number' && Number.isInteger(input) ? String(input) : input;
    if (typeof value === 'string') {
      try {
        return parseCpusSetting(value);
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: (error as Error).message });
        return z.NEVER;
      }
    }
    ctx.addIssue({
      code: 'custom',
      message: `expected auto, all or a CPU list such as 2-3, got ${describe(input)}`,
    });
    return z.NEVER;
  })
  .meta({
    type: ['string', 'integer'],
    description:
      "CPUs the targets run on: 'auto' (on a hybrid CPU the performance cores, whose PMU counts them; elsewhere any CPU), 'all', or a CPU list such as '2-3' to keep them apart from perfgate and other work.",
  });

const headerName = z
  .string()
  .regex(TOKEN, { error: (iss) => `not a valid header name: '${String(iss.input)}'` });

const buildSchema = z
  .strictObject({
    cwd: text(
      'Folder of this build, relative to the config file. Exclusive with `ref`.',
    ).optional(),
    ref: text('Git ref checked out into a temporary worktree. Exclusive with `cwd`.').optional(),
    build: text('Shell command run once in the build folder before measuring.').optional(),
    start: text('Shell command that starts the server; it must listen on $PORT.').optional(),
  })
  .superRefine((build, ctx) => {
    if ((build.cwd === undefined) === (build.ref === undefined)) {
      ctx.addIssue({
        code: 'custom',
        message:
          build.cwd === undefined
            ? "needs one of 'cwd' (a folder) or 'ref' (a git ref)"
            : "has both 'cwd' and 'ref'; keep one",
      });
    }
  });

const readySchema = z
  .strictObject({
    path: z
      .string({ error: (iss) => `expected a path such as /healthz, got ${describe(iss.input)}` })
      .regex(/^\//, { error: "expected a path starting with '/', such as /healthz" })
      .meta({ description: 'HTTP path polled until it answers 2xx.' })
      .optional(),
    port: z
      .boolean({ error: 'expected true or false' })
      .meta({ description: 'Wait only until the TCP port accepts connections.' })
      .optional(),
    timeout: positiveDuration(
      'How long to wait for the server to become ready.',
      'a timeout of 0 fails every server before it can answer; leave it out for the default (60s)',
    ).prefault('60s'),
  })
  .superRefine((ready, ctx) => {
    const port = ready.port === true;
    if (port === (ready.path !== undefined)) {
      ctx.addIssue({
        code: 'custom',
        message: port
          ? "has both 'path' and 'port: true'; keep one"
          : "needs 'path: /healthz' or 'port: true'",
      });
    }
  });

/** `auto` (warm each endpoint until its cost stops drifting), a fixed count, or auto with limits. */
const warmupLimits = z.strictObject({
  min: nonNegativeInt('Fewest warm-up requests per endpoint before steadiness is tested.').default(
    200,
  ),
  max: positiveInt(
    'Most warm-up requests per endpoint: past it the endpoint is "not settled".',
  ).default(3000),
  'max-time': duration('Most warm-up time per process.').prefault('60s'),
});

const warmupSchema = z
  .union([
    z.literal('auto'),
    z.int({ error: "expected 'auto', an integer of 0 or more, or { min, max, max-time }" }).min(0, {
      error: "expected 'auto', an integer of 0 or more, or { min, max, max-time }",
    }),
    warmupLimits,
  ])
  .meta({
    description:
      "Warm-up in each fresh process: 'auto' warms every endpoint until its cost per request stops drifting (at least min, at most max requests each); a number is that many requests per endpoint, no test.",
  });

const measureSchema = z
  .strictObject({
    counter: oneOf(
      COUNTERS,
      "Counter per request; auto = instructions, or task-clock where no PMU exists; 'simulated' counts instructions under Valgrind (no PMU needed, 30–40× slower).",
    ).default('auto'),
    threads: oneOf(
      ['main', 'all'],
      "Under counter: simulated, count each process's main thread (the default: V8's compiler and GC helper threads add noise) or all of its threads.",
    ).default('main'),
    'node-flags': z
      .string({ error: 'expected a string of V8 flags' })
      .meta({
        description:
          "Under counter: simulated, V8 flags for every 'node' the targets start from PATH, the same for both builds ('' for none). The default fixes V8's hash and random seeds.",
      })
      .default(DETERMINISTIC_NODE_FLAGS),
    gc: oneOf(
      ['block', 'off'],
      "Under counter: simulated, 'block' (the default) ends every block of requests with a minor garbage collection in each Node process of the targets, so a block pays for its own garbage instead of a scavenge landing in whichever block filled V8's young space; 'off' leaves V8's schedule alone.",
    ).default('block'),
    rounds: positiveInt(
      'Rounds, each with a fresh before and after process, before the first look (default: 10; 3 under counter: simulated).',
    ).optional(),
    warmup: warmupSchema.default('auto'),
    requests: positiveInt(
      "Measured requests per endpoint per round, at least: the endpoint's requests are repeated in whole passes, in blocks of at least 8 requests (at least 5 blocks).",
    ).default(80),
    'max-rounds': positiveInt(
      'Most rounds: inconclusive endpoints get more rounds, at planned looks, while the budget lasts (default: 2 × rounds).',
    ).optional(),
    'max-duration': positiveDuration(
      'Time budget for the whole run; no round starts that would end after it.',
    ).prefault('15m'),
    aslr: z
      .boolean({ error: 'expected true or false' })
      .meta({
        description:
          'Keep address-space randomisation on for the targets. By default perfgate turns it off (setarch -R) where the system allows, which removes a source of run-to-run noise.',
      })
      .default(false),
    settle: duration('Pause after each response before reading the counters.').prefault('0ms'),
    cpus: cpusSchema.default('auto'),
    compare: oneOf(
      ['status', 'body'],
      "What must agree between the two builds' answers to the same request: 'status', or 'body' (the status and a hash of the body, for services whose answers are deterministic).",
    ).default('status'),
  })
  .superRefine((measure, ctx) => {
    const w = measure.warmup;
    if (typeof w === 'object' && w.max < w.min) {
      ctx.addIssue({
        code: 'custom',
        path: ['warmup', 'max'],
        message: `must be at least min (${w.min})`,
      });
    }
    const rounds = measure.rounds ?? (measure.counter === 'simulated' ? 1 : DEFAULT_ROUNDS);
    if (measure['max-rounds'] !== undefined && measure['max-rounds'] < rounds) {
      ctx.addIssue({
        code: 'custom',
        path: ['max-rounds'],
        message: `must be at least rounds (${rounds})`,
      });
    }
  });

const explainMode = oneOf(
  ['auto', 'off', 'all'],
  "Function-level cost diff after the measurement: 'auto' for regressed endpoints, 'all' for every endpoint, 'off' for none.",
);

const explainMapping = z.strictObject({
  endpoints: explainMode.default('auto'),
  warmup: nonNegativeInt(
    'Requests of an endpoint sent to the profiled process before its profile window.',
  ).default(300),
  requests: positiveInt('Requests of an endpoint profiled on each build.').default(200),
  'max-duration': positiveDuration(
    'Time cap for the profiling pass; endpoints it leaves out are named in the report.',
    'a cap of 0 would profile nothing; set explain to off to skip the pass',
  ).prefault('5m'),
});

// `explain: all` is short for `explain: { endpoints: all }`, so a bad mode is reported as one.
const explainSchema = z
  .preprocess((v) => (typeof v === 'string' ? { endpoints: v } : v), explainMapping)
  .meta({
    description:
      "Which endpoints get a function-level cost diff (a profiling pass after the measurement): 'auto' (regressed ones), 'all' or 'off', or { endpoints, warmup, requests, max-duration }.",
  });

const thresholdsSchema = z.strictObject({
  default: percent('Threshold for endpoints no glob matches.').prefault('3%'),
  endpoints: z
    .record(
      text('Endpoint glob such as "GET /api/*".'),
      percent('Threshold for the endpoints this glob matches.'),
    )
    .meta({ description: 'Endpoint glob → threshold; the first matching glob wins.' })
    .default({}),
});

const envValue = z
  .union([z.string(), z.number(), z.boolean()], {
    error: (iss) => `expected a string, number or boolean, got ${describe(iss.input)}`,
  })
  .transform(String);

/** How the service reads one flag: exactly one of env, header, query or file. */
const flagSchema = z
  .strictObject({
    env: z
      .string()
      .regex(ENV_NAME, { error: (iss) => `not a valid variable name: '${String(iss.input)}'` })
      .refine((name) => name !== 'PORT', { error: 'PORT is set by perfgate for each target' })
      .meta({ description: 'Environment variable the service reads the flag from.' })
      .optional(),
    header: headerName
      .meta({ description: 'Request header that turns the flag on per request.' })
      .optional(),
    query: text('Query parameter that turns the flag on per request.').optional(),
    file: text(
      "The service's flag file (JSON or YAML, relative to this file) holding this flag under its name.",
    ).optional(),
    'path-env': z
      .string()
      .regex(ENV_NAME, { error: (iss) => `not a valid variable name: '${String(iss.input)}'` })
      .meta({
        description: 'With file: the variable through which the service finds its flag file.',
      })
      .optional(),
    values: z
      .tuple([envValue, envValue], {
        error: 'expected two values: [default, flipped], e.g. [off, on]',
      })
      .meta({ description: 'The value at defaults and the flipped value (default: [off, on]).' })
      .optional(),
  })
  .superRefine((flag, ctx) => {
    const ways = (['env', 'header', 'query', 'file'] as const).filter((k) => flag[k] !== undefined);
    if (ways.length !== 1) {
      ctx.addIssue({
        code: 'custom',
        message:
          ways.length === 0
            ? 'needs one of env, header, query or file: how the service reads this flag'
            : `has ${ways.join(' and ')}; keep one`,
      });
    }
    if (flag['path-env'] !== undefined && flag.file === undefined) {
      ctx.addIssue({ code: 'custom', path: ['path-env'], message: "only goes with 'file'" });
    }
  });

const flagsSchema = z
  .strictObject({
    from: text(
      "The service's own flag file (JSON or YAML, relative to this file): every flag in it joins the matrix, so a flag added there is measured with no change here.",
    ).optional(),
    'path-env': z
      .string()
      .regex(ENV_NAME, { error: (iss) => `not a valid variable name: '${String(iss.input)}'` })
      .meta({
        description:
          'Variable through which the service finds its flag file; perfgate points it at a copy with one flag flipped (default PERFGATE_FLAGS_FILE).',
      })
      .default('PERFGATE_FLAGS_FILE'),
    skip: z
      .array(text('Flag name.'))
      .meta({ description: 'Flags of the flag file left out of the matrix.' })
      .default([]),
    list: z
      .record(
        z.string().regex(/^[A-Za-z0-9_.:-]+$/, {
          error: (iss) => `not a flag name (letters, digits, _ . : -): '${String(iss.input)}'`,
        }),
        flagSchema,
      )
      .meta({ description: 'Flags declared here: name → how the service reads it.' })
      .default({}),
  })
  .meta({
    description:
      'The feature-flag matrix: the after build is measured with each flag flipped alone against the after build at defaults, in the same rounds.',
  });

export const configSchema = z
  .strictObject({
    workload: text('Workload file (JSONL), relative to this file.').optional(),
    build: text('Default build command for before and after.').optional(),
    start: text('Default start command for before and after.').optional(),
    before: buildSchema.meta({ description: 'The build without the change.' }).optional(),
    after: buildSchema.meta({ description: 'The build with the change.' }).optional(),
    ready: readySchema.meta({ description: 'How to tell that a server is ready.' }).optional(),
    env: z
      .record(
        z
          .string()
          .regex(ENV_NAME, { error: (iss) => `not a valid variable name: '${String(iss.input)}'` })
          .refine((name) => name !== 'PORT', { error: 'PORT is set by perfgate for each target' }),
        envValue,
      )
      .meta({ description: 'Environment for both builds. PORT is set by perfgate.' })
      .default({}),
    headers: z
      .record(
        headerName,
        z
          .string({ error: (iss) => `expected a string, got ${describe(iss.input)}` })
          .superRefine((value, ctx) => {
            const problem = checkTemplate(value);
            if (problem) ctx.addIssue({ code: 'custom', message: problem });
          }),
      )
      .meta({ description: 'Headers added to every request; ${VAR} reads the environment.' })
      .default({}),
    routes: z
      .array(
        z
          .string({
            error: (iss) => `expected a route such as /users/:id, got ${describe(iss.input)}`,
          })
          .regex(ROUTE, { error: "expected a route such as '/users/:id' or 'POST /items/:id'" }),
      )
      .meta({ description: 'Route templates naming endpoints, e.g. /users/:id.' })
      .default([]),
    redact: z
      .strictObject({
        headers: z.array(headerName).default([]),
        query: z.array(text('Query parameter name.')).default([]),
      })
      .meta({ description: 'Extra header and query parameter names importers drop.' })
      .optional(),
    measure: measureSchema.prefault({}),
    thresholds: thresholdsSchema.prefault({}),
    explain: explainSchema.prefault({}),
    alpha: fraction('Family-wise error rate of the gate.').default(0.05),
    confidence: fraction('Confidence level of the reported intervals.').default(0.95),
    'on-regression': oneOf(['fail', 'annotate'], 'What a regression does to the check.').default(
      'fail',
    ),
    flags: flagsSchema.optional(),
    'on-flag-regression': oneOf(
      ['fail', 'annotate'],
      'What a flag that makes an endpoint costlier than its threshold does to the check (default: as on-regression).',
    ).optional(),
    'on-inconclusive': oneOf(['pass', 'fail'], 'What an inconclusive endpoint does.').default(
      'pass',
    ),
    'allow-errors': z
      .array(text('Endpoint glob such as "GET /missing/*".'))
      .meta({
        description:
          'Endpoints (globs) whose answers may all be HTTP errors; any other endpoint that answers only errors in both builds fails the gate.',
      })
      .default([]),
  })
  .meta({ title: 'perfgate.yml', description: 'perfgate configuration' });

export type RawConfig = z.output<typeof configSchema>;
