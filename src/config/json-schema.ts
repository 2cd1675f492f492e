// The JSON Schema editors use to complete and check perfgate.yml (schema/perfgate.schema.json),
// generated from the same zod schema that validates it.

import { z } from 'zod';
import { configSchema } from './schema.js';

export function configJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(configSchema, { io: 'input', target: 'draft-2020-12' });
}

/** The committed file's text: stable key order, two-space indent, trailing newline. */
export function configJsonSchemaText(): string {
  return `${JSON.stringify(configJsonSchema(), null, 2)}\n`;
}
