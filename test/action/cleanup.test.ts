import { describe, expect, it } from 'vitest';
import { runPost } from '../../src/action/cleanup.js';
import { fakeCore } from './fake-core.js';

describe('post step', () => {
  it('kills the groups registered in the saved pid file and says so', async () => {
    const core = fakeCore({}, { 'pid-file': '/runner/_temp/perfgate-targets-1.pids' });
    const files: string[] = [];
    await runPost({
      core,
      killRegisteredGroups: async (file) => {
        files.push(file);
        return 2;
      },
    });
    expect(files).toEqual(['/runner/_temp/perfgate-targets-1.pids']);
    expect(core.messages('warning')).toEqual([
      'stopped 2 target process groups left running by the main step (cancelled or crashed)',
    ]);
  });

  it('is quiet when nothing was left behind', async () => {
    const core = fakeCore({}, { 'pid-file': '/tmp/x.pids' });
    await runPost({ core, killRegisteredGroups: async () => 0 });
    expect(core.messages('warning')).toEqual([]);
  });

  it('does nothing when the main step never got as far as the gate', async () => {
    const core = fakeCore();
    let called = false;
    await runPost({
      core,
      killRegisteredGroups: async () => {
        called = true;
        return 0;
      },
    });
    expect(called).toBe(false);
  });

  it('warns instead of failing when cleanup fails', async () => {
    const core = fakeCore({}, { 'pid-file': '/tmp/x.pids' });
    await runPost({
      core,
      killRegisteredGroups: async () => {
        throw new Error('EACCES: permission denied');
      },
    });
    expect(core.failed).toEqual([]);
    expect(core.messages('warning')).toEqual([
      'could not clean up the targets listed in /tmp/x.pids: EACCES: permission denied',
    ]);
  });
});
