// The parts of @actions/core the action uses, as an interface: main and publishing take it as a
// parameter, so tests hand in a recording fake instead of mocking the module.

import * as core from '@actions/core';

export interface AnnotationProps {
  title?: string;
}

export interface ActionCore {
  getInput(name: string): string;
  setOutput(name: string, value: string): void;
  setFailed(message: string): void;
  /** Masks the value in every later log line. */
  setSecret(secret: string): void;
  saveState(name: string, value: string): void;
  getState(name: string): string;
  debug(message: string): void;
  info(message: string): void;
  warning(message: string, props?: AnnotationProps): void;
  error(message: string, props?: AnnotationProps): void;
  /** Appends markdown to the job summary ($GITHUB_STEP_SUMMARY). */
  writeSummary(markdown: string): Promise<void>;
}

export const actionsCore: ActionCore = {
  getInput: (name) => core.getInput(name),
  setOutput: (name, value) => core.setOutput(name, value),
  setFailed: (message) => core.setFailed(message),
  setSecret: (secret) => core.setSecret(secret),
  saveState: (name, value) => core.saveState(name, value),
  getState: (name) => core.getState(name),
  debug: (message) => core.debug(message),
  info: (message) => core.info(message),
  warning: (message, props) => core.warning(message, props),
  error: (message, props) => core.error(message, props),
  writeSummary: async (markdown) => {
    await core.summary.addRaw(markdown, true).write();
  },
};
