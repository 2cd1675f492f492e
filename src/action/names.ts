// Input, output and state names, spelled exactly as in action.yml (a test keeps them in step).

export const Inputs = {
  config: 'config',
  workload: 'workload',
  beforeRef: 'before-ref',
  onRegression: 'on-regression',
  githubToken: 'github-token',
  comment: 'comment',
  statusContext: 'status-context',
  deploymentId: 'deployment-id',
  maxDuration: 'max-duration',
  allowUntrusted: 'allow-untrusted',
  outDir: 'out-dir',
  historyBranch: 'history-branch',
  historyPath: 'history-path',
  mode: 'mode',
  shard: 'shard',
  balance: 'balance',
  samples: 'samples',
} as const;

export const Outputs = {
  verdict: 'verdict',
  regressions: 'regressions',
  resultPath: 'result-path',
  reportPath: 'report-path',
} as const;

/** Values the main step hands to the post step through core.saveState. */
export const States = {
  pidFile: 'pid-file',
} as const;

export type InputName = (typeof Inputs)[keyof typeof Inputs];
export type OutputName = (typeof Outputs)[keyof typeof Outputs];
