import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import prettier from 'prettier';
import { describe, expect, it } from 'vitest';
import { configJsonSchema, configJsonSchemaText } from '../../src/config/index.js';

const committed = path.join(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../schema/perfgate.schema.json',
);

describe('schema/perfgate.schema.json', () => {
  it('is the schema generated from the zod schema (UPDATE_GOLDEN=1 rewrites it)', async () => {
    // Formatted as `prettier --check .` wants the committed file.
    const options = (await prettier.resolveConfig(committed)) ?? {};
    const text = await prettier.format(configJsonSchemaText(), { ...options, parser: 'json' });
    if (process.env.UPDATE_GOLDEN === '1') await writeFile(committed, text);
    expect(await readFile(committed, 'utf8')).toBe(text);
  });

  it('describes the YAML key names, units included', () => {
    const schema = configJsonSchema() as {
      additionalProperties: boolean;
      properties: Record<string, { properties?: Record<string, { pattern?: string }> }>;
    };
    expect(schema.additionalProperties).toBe(false);
    expect(Object.keys(schema.properties)).toContain('on-regression');
    const measure = schema.properties.measure!.properties!;
    expect(Object.keys(measure)).toContain('max-duration');
    expect(new RegExp(measure['max-duration']!.pattern!).test('20m')).toBe(true);
    expect(new RegExp(measure['max-duration']!.pattern!).test('20')).toBe(false);
  });
});
