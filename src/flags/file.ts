// A service's own flag file: the flags it declares and a copy with one of them flipped. The
// shapes the common offline sources use are read: a flat map (name → value), LaunchDarkly's file
// data source (`flagValues`, `flags.<name>.on`), flagd (`flags.<name>.defaultVariant` among its
// `variants`) and Unleash's bootstrap (`[{ name, enabled }]` or `{ features: [...] }`). Pure:
// the caller reads and writes the files.

export type FlagFileShape = 'flat' | 'launchdarkly' | 'flagd' | 'unleash';

export interface FileFlag {
  name: string;
  /** The value in the file (its defaults), and the value a flipped copy holds. */
  value: string;
  flipped: string;
}

export interface FlagFileContents {
  shape: FlagFileShape;
  flags: FileFlag[];
  /** Flags that cannot be flipped on their own (a value with no obvious opposite), with why. */
  skipped: { name: string; reason: string }[];
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

const isObject = (v: unknown): v is JsonObject =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Strings that read as a switch, and their opposite. */
const OPPOSITE: Record<string, string> = {
  on: 'off',
  off: 'on',
  true: 'false',
  false: 'true',
  enabled: 'disabled',
  disabled: 'enabled',
  yes: 'no',
  no: 'yes',
  '1': '0',
  '0': '1',
};

/** The flipped value of a plain flag value, or why there is none. */
function flipValue(value: Json): { ok: true; value: Json } | { ok: false; reason: string } {
  if (typeof value === 'boolean') return { ok: true, value: !value };
  if (typeof value === 'number' && (value === 0 || value === 1))
    return { ok: true, value: 1 - value };
  if (typeof value === 'string') {
    const lower = value.toLowerCase();
    const other = OPPOSITE[lower];
    if (other !== undefined) {
      // Keep the file's own spelling: "ON" flips to "OFF".
      return { ok: true, value: value === lower ? other : other.toUpperCase() };
    }
  }
  return {
    ok: false,
    reason: `its value ${JSON.stringify(value)} has no obvious opposite; declare it under flags.list with values: [default, flipped]`,
  };
}

const shown = (v: Json) => (typeof v === 'string' ? v : JSON.stringify(v));

function unleashList(doc: Json): Json[] | undefined {
  if (Array.isArray(doc)) return doc;
  if (isObject(doc) && Array.isArray(doc.features)) return doc.features;
  return undefined;
}

/** Which shape a parsed flag file has; undefined when it is none perfgate knows. */
export function flagFileShape(doc: unknown): FlagFileShape | undefined {
  const list = unleashList(doc as Json);
  if (list)
    return list.every((f) => isObject(f) && typeof f.name === 'string') ? 'unleash' : undefined;
  if (!isObject(doc)) return undefined;
  if (isObject(doc.flags)) {
    const entries = Object.values(doc.flags);
    if (entries.length > 0 && entries.every((f) => isObject(f) && 'defaultVariant' in f))
      return 'flagd';
    if (entries.every((f) => isObject(f))) return 'launchdarkly';
  }
  if (isObject(doc.flagValues)) return 'launchdarkly';
  if (Object.values(doc).every((v) => !isObject(v) && !Array.isArray(v))) return 'flat';
  return undefined;
}

interface Entry {
  name: string;
  value: Json;
  /** Writes a value into a copy of the document. */
  set: (copy: Json, value: Json) => void;
  /** For flagd: the variants the default may switch between. */
  flip?: () => { ok: true; value: Json } | { ok: false; reason: string };
}

function entries(doc: Json, shape: FlagFileShape): Entry[] {
  const out: Entry[] = [];
  if (shape === 'unleash') {
    const key = Array.isArray(doc) ? undefined : 'features';
    const list = unleashList(doc)!;
    list.forEach((f, i) => {
      const o = f as JsonObject;
      out.push({
        name: String(o.name),
        value: o.enabled ?? false,
        set: (copy, value) => {
          const target = key ? ((copy as JsonObject)[key] as Json[]) : (copy as Json[]);
          (target[i] as JsonObject).enabled = value;
        },
      });
    });
    return out;
  }
  const o = doc as JsonObject;
  if (shape === 'flat') {
    for (const [name, value] of Object.entries(o)) {
      out.push({ name, value, set: (copy, v) => ((copy as JsonObject)[name] = v) });
    }
    return out;
  }
  if (shape === 'flagd') {
    for (const [name, f] of Object.entries(o.flags as JsonObject)) {
      const flag = f as JsonObject;
      const current = flag.defaultVariant ?? null;
      out.push({
        name,
        value: current,
        set: (copy, v) =>
          (((copy as JsonObject).flags as JsonObject)[name] = { ...flag, defaultVariant: v }),
        flip: () => {
          const others = Object.keys(isObject(flag.variants) ? flag.variants : {}).filter(
            (k) => k !== current,
          );
          return others.length === 1
            ? { ok: true, value: others[0]! }
            : {
                ok: false,
                reason: `it has ${others.length + 1} variants; flipping needs exactly two`,
              };
        },
      });
    }
    return out;
  }
  // LaunchDarkly: simple `flagValues` first, then full `flags` entries (their `on` switch).
  if (isObject(o.flagValues)) {
    for (const [name, value] of Object.entries(o.flagValues)) {
      out.push({
        name,
        value,
        set: (copy, v) => (((copy as JsonObject).flagValues as JsonObject)[name] = v),
      });
    }
  }
  if (isObject(o.flags)) {
    for (const [name, f] of Object.entries(o.flags)) {
      const flag = f as JsonObject;
      out.push({
        name,
        value: flag.on ?? false,
        set: (copy, v) => (((copy as JsonObject).flags as JsonObject)[name] = { ...flag, on: v }),
      });
    }
  }
  return out;
}

/** The flags a parsed flag file declares, or an error message when its shape is unknown. */
export function readFlagFile(doc: unknown): FlagFileContents | string {
  const shape = flagFileShape(doc);
  if (!shape) {
    return 'not a flag file perfgate reads: expected a map of flag name → value, LaunchDarkly flagValues/flags, flagd flags with defaultVariant, or Unleash features [{ name, enabled }]';
  }
  const flags: FileFlag[] = [];
  const skipped: FlagFileContents['skipped'] = [];
  const seen = new Set<string>();
  for (const e of entries(doc as Json, shape)) {
    if (seen.has(e.name)) continue;
    seen.add(e.name);
    const f = e.flip ? e.flip() : flipValue(e.value);
    if (f.ok) flags.push({ name: e.name, value: shown(e.value), flipped: shown(f.value) });
    else skipped.push({ name: e.name, reason: f.reason });
  }
  return { shape, flags, skipped };
}

/** A copy of the flag file with `name` flipped (or set to `value`); every other flag as it was. */
export function flipInFile(doc: unknown, name: string, value?: string): unknown {
  const shape = flagFileShape(doc);
  if (!shape) throw new Error('not a flag file');
  const copy = structuredClone(doc) as Json;
  const entry = entries(doc as Json, shape).find((e) => e.name === name);
  if (!entry) throw new Error(`no flag '${name}' in the flag file`);
  let next: Json;
  if (value !== undefined) {
    // A declared value keeps the file's type where it can: "true" into a boolean field is true.
    next =
      typeof entry.value === 'boolean' && (value === 'true' || value === 'false')
        ? value === 'true'
        : typeof entry.value === 'number' && Number.isFinite(Number(value))
          ? Number(value)
          : value;
  } else {
    const f = entry.flip ? entry.flip() : flipValue(entry.value);
    if (!f.ok) throw new Error(`cannot flip '${name}': ${f.reason}`);
    next = f.value;
  }
  // LaunchDarkly files may name a flag in both sections; both must agree.
  for (const e of entries(doc as Json, shape)) if (e.name === name) e.set(copy, next);
  return copy;
}
