import { describe, expect, it } from 'vitest';
import { parseWorkload, serializeWorkload } from '../../src/workload/index.js';

describe('serializeWorkload', () => {
  it('writes JSONL that reads back to the same requests', () => {
    const text = serializeWorkload([
      { method: 'GET', path: '/users/7?full=1', headers: { Accept: 'application/json' } },
      {
        method: 'POST',
        path: '/api/items',
        headers: { 'Content-Type': 'application/json' },
        body: Buffer.from('{"name":"lämp"}'),
        weight: 2,
        endpoint: 'POST /api/items',
      },
      { method: 'PUT', path: '/blob', headers: {}, body: Buffer.from([0xff, 0x00, 0xfe]), id: 'b' },
    ]);
    expect(text.split('\n')).toEqual([
      '{"method":"GET","url":"/users/7?full=1","headers":{"Accept":"application/json"}}',
      '{"method":"POST","url":"/api/items","headers":{"Content-Type":"application/json"},"body":"{\\"name\\":\\"lämp\\"}","endpoint":"POST /api/items","weight":2}',
      '{"id":"b","method":"PUT","url":"/blob","headers":{},"body":{"base64":"/wD+"}}',
      '',
    ]);
    const back = parseWorkload(text, 'w.jsonl');
    expect(
      back.requests.map((r) => [r.id, r.method, r.path, r.body, r.weight, r.endpoint]),
    ).toEqual([
      [0, 'GET', '/users/7?full=1', undefined, 1, 'GET /users/:id'],
      [1, 'POST', '/api/items', Buffer.from('{"name":"lämp"}'), 2, 'POST /api/items'],
      ['b', 'PUT', '/blob', Buffer.from([0xff, 0x00, 0xfe]), 1, 'PUT /blob'],
    ]);
  });

  it('round-trips parsed requests', () => {
    const text =
      '{"method":"GET","url":"/a"}\n{"method":"POST","url":"/b","body":{"base64":"AAEC"},"weight":0.5}\n';
    const first = parseWorkload(text, 'w.jsonl');
    const again = parseWorkload(serializeWorkload(first.requests), 'w.jsonl');
    expect(again.requests.map(({ line: _line, ...r }) => r)).toEqual(
      first.requests.map(({ line: _line, ...r }) => r),
    );
  });
});
