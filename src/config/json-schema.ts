// The JSON Schema editors use to complete and check perfgate.yml (schema/perfgate.schema.json),
// generated from the same zod schema that validates it.

import { z } from 'zod';
import { configSchema } from './schema.js';

type JsonObject = Record<string, unknown>;

export function configJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(configSchema, { io: 'input', target: 'draft-2020-12' }) as {
    properties?: Record<string, JsonObject>;
  };
  // `explain: all` is read as `{ endpoints: all }` before validation, which zod cannot describe.
  const explain = schema.properties?.explain;
  if (explain) {
    const { default: _default, description, ...mapping } = explain;
    const mode = (mapping.properties as Record<string, JsonObject>).endpoints!;
    schema.properties!.explain = {
      description,
      default: 'auto',
      anyOf: [{ type: 'string', enum: mode.enum, description: mode.description }, mapping],
    };
  }
  return schema as Record<string, unknown>;
}

/** The committed file's text: stable key order, two-space indent, trailing newline. */
export function configJsonSchemaText(): string {
  return `${JSON.stringify(configJsonSchema(), null, 2)}\n`;
}
