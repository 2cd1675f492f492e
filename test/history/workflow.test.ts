import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ROOT } from '../helpers/cli.js';

interface Step {
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
}
interface Workflow {
  on: Record<string, unknown>;
  concurrency: { group: string; 'cancel-in-progress': boolean };
  jobs: Record<string, { if: string; permissions: Record<string, string>; steps: Step[] }>;
}

const workflow = parse(
  readFileSync(join(ROOT, 'examples/workflows/perfgate-history.yml'), 'utf8'),
) as Workflow;
const action = parse(readFileSync(join(ROOT, 'action.yml'), 'utf8')) as {
  inputs: Record<string, unknown>;
};

describe('examples/workflows/perfgate-history.yml', () => {
  it('records pushes with inputs the action has, and runs drift and the dashboard on a schedule', () => {
    expect(Object.keys(workflow.on).sort()).toEqual(['push', 'schedule', 'workflow_dispatch']);
    expect(workflow.concurrency['cancel-in-progress']).toBe(false);
    const record = workflow.jobs['record']!;
    expect(record.permissions['contents']).toBe('write');
    const gate = record.steps.find((s) => s.uses?.startsWith('perfgate/perfgate'))!;
    for (const input of Object.keys(gate.with!)) expect(action.inputs).toHaveProperty(input);
    expect(gate.with!['history-branch']).toBe('perfgate-history');
    const scripts = workflow.jobs['drift']!.steps.map((s) => s.run ?? '').join('\n');
    expect(scripts).toMatch(/cli\.js drift --history history\/perfgate-history\.jsonl/);
    expect(scripts).toMatch(/cli\.js dashboard --history history\/perfgate-history\.jsonl -o site/);
  });
});
