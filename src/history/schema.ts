// One history line's schema: lines written by other perfgate versions or edited by hand are
// checked before any series is built from them.

import { z } from 'zod';
import type { HistoryRun } from './types.js';

const level = { mean: z.number(), low: z.number(), high: z.number() };

export const HistoryRunSchema = z.strictObject({
  version: z.literal(1),
  id: z.string().min(1),
  commit: z.string().min(1),
  branch: z.string().nullable(),
  date: z.iso.datetime({ offset: true }),
  perfgate: z.string(),
  repository: z.string().nullable(),
  series: z.strictObject({
    counter: z.string(),
    unit: z.string(),
    kernel: z.boolean(),
    fallback: z.boolean(),
    cpuModel: z.string(),
  }),
  machine: z
    .strictObject({ os: z.string(), arch: z.string(), kernel: z.string(), cpus: z.number() })
    .nullable(),
  verdict: z.enum(['pass', 'fail', 'error']),
  total: z.strictObject(level).nullable(),
  endpoints: z.array(
    z.strictObject({
      ...level,
      endpoint: z.string(),
      n: z.number().int().min(0),
      rounds: z.number().int().min(0),
      weight: z.number().min(0).max(1),
      verdict: z.enum(['regression', 'improvement', 'unchanged', 'inconclusive', 'error']),
    }),
  ),
});

type Parsed = z.infer<typeof HistoryRunSchema>;
export const historySchemaMatchesType: [Parsed] extends [HistoryRun]
  ? [HistoryRun] extends [Parsed]
    ? true
    : false
  : false = true;
