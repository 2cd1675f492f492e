// The keys a mapping in perfgate.yml may hold, read from the zod schema itself so that
// "did you mean" never drifts from what is accepted.

import type { z } from 'zod';
import { configSchema } from './schema.js';

type Def = {
  type: string;
  innerType?: z.core.$ZodType;
  in?: z.core.$ZodType;
  shape?: Record<string, z.core.$ZodType>;
  valueType?: z.core.$ZodType;
  element?: z.core.$ZodType;
};

function def(schema: z.core.$ZodType): Def {
  return schema._zod.def as Def;
}

// Sees through optional/default/prefault/pipe wrappers to the schema that holds the value.
function unwrap(schema: z.core.$ZodType): z.core.$ZodType {
  for (let d = def(schema); ; d = def(schema)) {
    const inner = d.innerType ?? (d.type === 'pipe' ? d.in : undefined);
    if (!inner) return schema;
    schema = inner;
  }
}

/** Keys allowed in the mapping at `path`, or [] where any key goes (env, headers, ...). */
export function keysAt(path: readonly PropertyKey[]): string[] {
  let schema: z.core.$ZodType | undefined = unwrap(configSchema);
  for (const key of path) {
    if (!schema) return [];
    const d = def(schema);
    const next: z.core.$ZodType | undefined =
      d.type === 'object'
        ? d.shape?.[String(key)]
        : d.type === 'record'
          ? d.valueType
          : d.type === 'array'
            ? d.element
            : undefined;
    schema = next ? unwrap(next) : undefined;
  }
  const shape = schema ? def(schema).shape : undefined;
  return shape ? Object.keys(shape) : [];
}
