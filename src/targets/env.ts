// The environment the build and start commands get, built on purpose: the runner's environment
// (PATH, HOME, toolchains: what a service needs to build and run) minus perfgate's own secrets,
// then the config's `env`; start commands also get PORT. The code under test may come from a
// fork, so the action's token and the runner's job tokens never reach it.

/** Names never passed on, whatever the shell: the action's inputs and the job's tokens. */
const WITHHELD_PREFIXES = ['INPUT_', 'ACTIONS_'];
const WITHHELD_NAMES = new Set(['GITHUB_TOKEN', 'GH_TOKEN', 'PERFGATE_TOKEN']);

/** Whether perfgate keeps `name` from its targets. */
export function withheld(name: string): boolean {
  const upper = name.toUpperCase();
  return WITHHELD_NAMES.has(upper) || WITHHELD_PREFIXES.some((p) => upper.startsWith(p));
}

/**
 * The targets' environment: `base` without what `withheld` names, plus `configured` (the
 * config's `env`, which may pass anything on deliberately).
 */
export function targetEnvironment(
  base: NodeJS.ProcessEnv,
  configured: Readonly<Record<string, string>> = {},
): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(base)) {
    if (value !== undefined && !withheld(name)) out[name] = value;
  }
  return { ...out, ...configured };
}
