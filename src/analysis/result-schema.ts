// result.json's schema, for validating what analysis writes and what other tools read.
// schema/result.schema.json is generated from it (see test/analysis/result-schema.test.ts).

import { z } from 'zod';
import type { RunResult } from './types.js';
import { WARNING_CODES } from './warnings.js';
import { ExplanationSchema } from './explanation-schema.js';

const fraction = z.number().min(0).max(1);

const ChangeSchema = z.strictObject({
  estimate: z.number().describe('after/before − 1 (0.05 = +5 %)'),
  low: z.number(),
  high: z.number(),
});

const WarningSchema = z.strictObject({
  code: z.enum(WARNING_CODES).describe('what the warning is about: stable, for tools to match on'),
  message: z.string(),
});

const VerdictSchema = z.enum(['regression', 'improvement', 'unchanged', 'inconclusive', 'error']);

const CounterSchema = z.strictObject({
  name: z.string(),
  unit: z.string(),
  fallback: z.boolean(),
  reason: z.string().optional(),
  all: z.array(z.string()),
  kernel: z.boolean(),
});

const EndpointSchema = z.strictObject({
  endpoint: z.string(),
  verdict: VerdictSchema,
  threshold: z.number().min(0),
  thresholdSource: z.string(),
  confidence: fraction,
  change: ChangeSchema.nullable(),
  gateLow: z.number().nullable(),
  p: fraction.nullable(),
  pAdjusted: fraction.nullable(),
  typical: ChangeSchema.nullable(),
  estimator: z.enum(['median-of-means', 'mean']).optional(),
  mean: ChangeSchema.optional(),
  method: z.enum(['paired-rounds', 'unpaired', 'exact']),
  before: z.number().nullable(),
  after: z.number().nullable(),
  n: z.strictObject({
    before: z.number().int().min(0),
    after: z.number().int().min(0),
    rounds: z.number().int().min(0),
  }),
  weight: fraction,
  moreRounds: z.number().int().min(1).nullable(),
  warnings: z.array(z.string()),
});

const WarmupCellSchema = z.strictObject({
  requests: z.number().min(0),
  unsettled: z.number().int().min(0),
  processes: z.number().int().min(0),
});

const BuildRefSchema = z.strictObject({
  ref: z.string().optional(),
  commit: z.string().optional(),
});

const CountsSchema = z.strictObject({
  regression: z.number().int().min(0),
  improvement: z.number().int().min(0),
  unchanged: z.number().int().min(0),
  inconclusive: z.number().int().min(0),
  error: z.number().int().min(0),
});

const FlagSchema = z.strictObject({
  flag: z.string(),
  delivery: z.enum(['env', 'header', 'query', 'file']),
  from: z.string().describe('value at defaults'),
  to: z.string().describe('the flipped value measured'),
  source: z
    .enum(['config', 'file'])
    .describe('declared in perfgate.yml, or read from the flag file'),
  status: z.enum(['measured', 'not-afforded']),
  reason: z.string().optional(),
  endpoints: z
    .array(EndpointSchema)
    .describe('before: the after build at defaults; after: the after build with this flag flipped'),
  counts: CountsSchema,
  rounds: z.number().int().min(0),
  warnings: z.array(WarningSchema),
});

const FlagsSchema = z
  .strictObject({
    onFlagRegression: z.enum(['fail', 'annotate']),
    flags: z.array(FlagSchema),
    skipped: z.array(z.strictObject({ flag: z.string(), reason: z.string() })),
    family: z.number().int().min(0).describe('comparisons in the Holm family, flags included'),
  })
  .describe('the flag matrix: each flag flipped alone against the after build at defaults');

export const RunResultSchema = z
  .strictObject({
    version: z.literal(1),
    verdict: z.enum(['pass', 'fail', 'error']),
    summary: z.string().max(140),
    counter: CounterSchema,
    alpha: fraction,
    confidence: fraction,
    onInconclusive: z.enum(['pass', 'fail']),
    endpoints: z.array(EndpointSchema),
    total: ChangeSchema.nullable(),
    counts: CountsSchema,
    run: z.strictObject({
      seed: z.number().int().nullable(),
      rounds: z.number().int().min(0),
      plannedRounds: z.number().int().min(0).nullable(),
      looks: z.number().int().min(0),
      startedAt: z.string().nullable(),
      durationMs: z.number().min(0).nullable(),
      complete: z.boolean(),
      builds: z.strictObject({ before: BuildRefSchema, after: BuildRefSchema }),
      mode: z.enum(['a-b', 'a-a']),
      platform: z
        .strictObject({
          os: z.string(),
          arch: z.string(),
          kernel: z.string(),
          cpus: z.number().int(),
          cpuModel: z.string(),
        })
        .optional(),
      placement: z
        .strictObject({
          cpus: z.string().nullable().describe('CPU list the targets were kept on; null: any'),
          pmu: z.string().nullable().describe('hybrid CPUs: the PMU that counted (cpu_core)'),
        })
        .optional(),
      warmup: z
        .strictObject({
          mode: z.enum(['auto', 'fixed']),
          endpoints: z.record(
            z.string(),
            z.strictObject({ before: WarmupCellSchema, after: WarmupCellSchema }),
          ),
          wallMs: z.number().min(0),
          timedOut: z.number().int().min(0),
        })
        .optional()
        .describe('warm-up per endpoint and build: median requests per process, never settled'),
    }),
    warnings: z.array(WarningSchema),
    flags: FlagsSchema.optional(),
    explain: ExplanationSchema.optional(),
  })
  .describe('perfgate result.json: per-endpoint CPU cost change, verdicts and the gate decision');

// The schema and the TypeScript type must describe the same thing, in both directions.
type Parsed = z.infer<typeof RunResultSchema>;
export const schemaMatchesType: [Parsed] extends [RunResult]
  ? [RunResult] extends [Parsed]
    ? true
    : false
  : false = true;

/** The JSON Schema committed as schema/result.schema.json. */
export function runResultJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(RunResultSchema, { target: 'draft-2020-12' });
}

/** The committed file's text: stable key order, two-space indent, trailing newline. */
export function runResultJsonSchemaText(): string {
  return `${JSON.stringify(runResultJsonSchema(), null, 2)}\n`;
}
