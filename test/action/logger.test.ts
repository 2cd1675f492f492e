import { describe, expect, it } from 'vitest';
import { actionsLogger } from '../../src/action/logger.js';
import { fakeCore } from './fake-core.js';

describe('actionsLogger', () => {
  it('maps each level onto the runner log, titles onto annotations', () => {
    const core = fakeCore();
    const logger = actionsLogger(core);
    logger.debug('d');
    logger.info('i');
    logger.progress('round 3/8');
    logger.warn('w');
    logger.warn('w2', 'counters');
    logger.error('e', 'GET /x');
    expect(core.lines).toEqual([
      { level: 'debug', message: 'd' },
      { level: 'info', message: 'i' },
      { level: 'info', message: 'round 3/8' },
      { level: 'warning', message: 'w' },
      { level: 'warning', message: 'w2', title: 'counters' },
      { level: 'error', message: 'e', title: 'GET /x' },
    ]);
  });
});
