// The shop's feature flags, read once at start-up from a flag file: a JSON map of flag name →
// value (the shape of LaunchDarkly's `flagValues`, or any flat flag file). The file is the
// build folder's flags.json, or the one named by SHOP_FLAGS_FILE (how perfgate's flag matrix
// hands the shop a copy with one flag flipped). A build without a flag file runs with every flag
// off.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export function loadFlags(env = process.env, cwd = process.cwd()) {
  const file = env.SHOP_FLAGS_FILE || join(cwd, 'flags.json');
  if (!env.SHOP_FLAGS_FILE && !existsSync(file)) return {};
  const flags = JSON.parse(readFileSync(file, 'utf8'));
  if (typeof flags !== 'object' || flags === null || Array.isArray(flags)) {
    throw new Error(`${file}: expected a JSON object of flag name → value`);
  }
  return flags;
}

/** A flag is on when the file says true, "on" or 1. */
export function isOn(flags, name) {
  const v = flags[name];
  return v === true || v === 'on' || v === 1;
}
