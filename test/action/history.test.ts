import { describe, expect, it } from 'vitest';
import { skipHistoryReason } from '../../src/action/history.js';
import type { GateOutcome } from '../../src/report/index.js';

const outcome = (verdict: 'pass' | 'fail' | 'error', complete = true) =>
  ({ result: { verdict, run: { complete } } }) as unknown as GateOutcome;
const push = { eventName: 'push', payload: { repository: { default_branch: 'main' } } };

describe('recording history from the action', () => {
  it('records completed runs of pushes to the default branch only', () => {
    const main = { GITHUB_REF: 'refs/heads/main' };
    expect(skipHistoryReason(push, main, outcome('pass'))).toBeNull();
    expect(skipHistoryReason(push, main, outcome('fail'))).toBeNull();
    expect(skipHistoryReason(push, { GITHUB_REF: 'refs/heads/feature' }, outcome('pass'))).toMatch(
      /not the default branch \(main\)/,
    );
    expect(
      skipHistoryReason({ ...push, eventName: 'pull_request' }, main, outcome('pass')),
    ).toMatch(/pull_request, not push/);
    expect(skipHistoryReason(push, main, outcome('error'))).toMatch(/did not complete/);
    expect(skipHistoryReason(push, main, outcome('pass', false))).toMatch(/did not complete/);
  });
});
