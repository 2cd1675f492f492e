// The `explain` part of result.json's schema (see result-schema.ts).

import { z } from 'zod';

const PairSchema = z.strictObject({
  before: z.number(),
  after: z.number(),
  change: z.number().describe('after − before, per request'),
});

const RowSchema = z.strictObject({
  function: z.string().describe('file:line name'),
  file: z.string(),
  line: z.number().int().min(0),
  name: z.string(),
  beforeLine: z.number().int().min(0).optional(),
  status: z.enum(['changed', 'added', 'removed']),
  self: PairSchema,
  inclusive: PairSchema,
  share: z.number().nullable().describe("self change / the endpoint's attributed change"),
  via: z.array(z.string()).describe('wrappers folded into this function, outermost first'),
});

export const ExplanationSchema = z
  .strictObject({
    mode: z.enum(['auto', 'off', 'all']),
    method: z.string(),
    endpoints: z.array(
      z.strictObject({
        endpoint: z.string(),
        runtimes: z.array(z.enum(['node', 'python'])),
        requests: z.strictObject({
          before: z.number().int().min(0),
          after: z.number().int().min(0),
        }),
        unit: z.string(),
        scale: z.enum(['measurement', 'profile']),
        total: PairSchema,
        rows: z.array(RowSchema),
        flameGraph: z.string().nullable(),
        wallMs: z.number().min(0),
        note: z.string().optional(),
      }),
    ),
    skipped: z.array(z.string()),
    wallMs: z.number().min(0),
    warnings: z.array(z.string()),
  })
  .describe('function-level cost diff per explained endpoint (perfgate explain)');
