// A recording stand-in for @actions/core (the ActionCore interface). Log lines are kept raw,
// without the runner's secret masking, so a test can prove a secret was never written at all.

import type { ActionCore, AnnotationProps } from '../../src/action/core.js';

export interface CoreLine {
  level: 'debug' | 'info' | 'warning' | 'error' | 'failed';
  message: string;
  title?: string;
}

export interface FakeCore extends ActionCore {
  inputs: Record<string, string>;
  lines: CoreLine[];
  outputs: Record<string, string>;
  state: Record<string, string>;
  secrets: string[];
  failed: string[];
  summaries: string[];
  /** Makes writeSummary throw, like @actions/core without $GITHUB_STEP_SUMMARY. */
  summaryError: Error | undefined;
  /** Every line written anywhere: log, annotations, failures, outputs, state, summary. */
  everything(): string[];
  messages(level: CoreLine['level']): string[];
}

export function fakeCore(
  inputs: Record<string, string> = {},
  state: Record<string, string> = {},
): FakeCore {
  const lines: CoreLine[] = [];
  const push = (level: CoreLine['level']) => (message: string, props?: AnnotationProps) => {
    lines.push(
      props?.title !== undefined ? { level, message, title: props.title } : { level, message },
    );
  };
  const core: FakeCore = {
    inputs,
    lines,
    outputs: {},
    state,
    secrets: [],
    failed: [],
    summaries: [],
    summaryError: undefined,
    // Like core.getInput: a missing input is '', surrounding whitespace is trimmed.
    getInput: (name) => (inputs[name] ?? '').trim(),
    setOutput: (name, value) => {
      core.outputs[name] = value;
    },
    setFailed: (message) => {
      core.failed.push(message);
      lines.push({ level: 'failed', message });
    },
    setSecret: (secret) => {
      core.secrets.push(secret);
    },
    saveState: (name, value) => {
      core.state[name] = value;
    },
    getState: (name) => core.state[name] ?? '',
    debug: push('debug'),
    info: push('info'),
    warning: push('warning'),
    error: push('error'),
    writeSummary: async (markdown) => {
      if (core.summaryError) throw core.summaryError;
      core.summaries.push(markdown);
    },
    everything: () => [
      ...lines.flatMap((l) => [l.message, l.title ?? '']),
      ...Object.values(core.outputs),
      ...Object.values(core.state),
      ...core.summaries,
    ],
    messages: (level) => lines.filter((l) => l.level === level).map((l) => l.message),
  };
  return core;
}
