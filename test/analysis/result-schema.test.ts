import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { format, resolveConfig } from 'prettier';
import { describe, expect, it } from 'vitest';
import { analyze } from '../../src/analysis/analyze.js';
import {
  RunResultSchema,
  runResultJsonSchemaText,
  schemaMatchesType,
} from '../../src/analysis/result-schema.js';
import { simulate } from './simulate.js';

const committed = new URL('../../schema/result.schema.json', import.meta.url);

describe('result.json schema', () => {
  it('accepts what analyze writes, and rejects a malformed result', () => {
    const result = analyze(
      simulate({
        seed: 2,
        rounds: 6,
        endpoints: [
          { name: 'GET /a', change: 0.2 },
          { name: 'GET /b', change: 0 },
        ],
      }),
      {
        thresholds: { default: 0.03, endpoints: {} },
        alpha: 0.05,
        confidence: 0.95,
        onInconclusive: 'pass',
      },
    );
    expect(RunResultSchema.safeParse(result).success).toBe(true);
    expect(RunResultSchema.safeParse({ ...result, verdict: 'maybe' }).success).toBe(false);
    expect(RunResultSchema.safeParse({ ...result, extra: 1 }).success).toBe(false);
    expect(schemaMatchesType).toBe(true);
  });

  it('is committed as schema/result.schema.json (UPDATE_GOLDEN=1 rewrites it)', async () => {
    // Written as prettier formats it, so `prettier --check .` and this test agree.
    const path = fileURLToPath(committed);
    const text = await format(runResultJsonSchemaText(), {
      ...(await resolveConfig(path)),
      filepath: path,
    });
    if (process.env.UPDATE_GOLDEN === '1') await writeFile(committed, text);
    expect(await readFile(committed, 'utf8')).toBe(text);
    const schema = JSON.parse(text) as { properties: Record<string, unknown> };
    expect(Object.keys(schema.properties)).toContain('endpoints');
  });
});
