// The gdbserver connection behind the simulated counter: packets as GDB's remote protocol frames
// them, and the run-length encoding the gdbserver uses in its replies.

import { describe, expect, it } from 'vitest';
import { consoleText, expandRuns, packet, splitPackets } from '../../src/counters/vgdb.js';

describe('remote protocol packets', () => {
  it('frames a packet with its checksum', () => {
    expect(packet('c')).toBe('$c#63');
    expect(packet('QStartNoAckMode')).toBe('$QStartNoAckMode#b0');
    expect(packet('')).toBe('$#00');
  });

  it('expands runs: X*n is X and n−29 more copies', () => {
    expect(expandRuns('3*!4350a')).toBe('333334350a');
    expect(expandRuns('0* 1')).toBe('00001');
    expect(expandRuns('ab')).toBe('ab');
  });

  it('splits whole packets from acks and keeps a partial one for later', () => {
    const { packets, rest } = splitPackets('+$OK#9a+$O41#b2$T05thr');
    expect(packets).toEqual(['OK', 'O41']);
    expect(rest).toBe('$T05thr');
    const again = splitPackets(rest + 'ead:1;#00');
    expect(again.packets).toEqual(['T05thread:1;']);
    expect(again.rest).toBe('');
    // A checksum not yet arrived: the packet waits.
    expect(splitPackets('$OK#9').packets).toEqual([]);
  });

  it('decodes console output packets', () => {
    const hex = Buffer.from('events-1: 42\n').toString('hex');
    expect(consoleText([`O${hex.slice(0, 6)}`, `O${hex.slice(6)}`])).toBe('events-1: 42\n');
  });
});
