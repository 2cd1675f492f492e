import { describe, expect, it } from 'vitest';
import {
  COMMENT_LIMIT,
  findMarked,
  hasMarker,
  marker,
  withMarker,
} from '../../src/action/publish/comment.js';

describe('sticky comment marker', () => {
  it('is a hidden HTML comment keyed by the status context', () => {
    expect(marker('perfgate')).toBe('<!-- perfgate:perfgate -->');
    expect(marker('perfgate / api')).toBe('<!-- perfgate:perfgate / api -->');
  });

  it('goes on the first line, before the body', () => {
    expect(withMarker('## report', 'perfgate')).toBe('<!-- perfgate:perfgate -->\n## report');
  });

  it('is found only at the start of a body, so a quoted copy does not match', () => {
    const body = withMarker('report', 'perfgate');
    expect(hasMarker(body, 'perfgate')).toBe(true);
    expect(hasMarker(`> ${body}`, 'perfgate')).toBe(false);
    expect(hasMarker(body, 'other')).toBe(false);
    expect(hasMarker(null, 'perfgate')).toBe(false);
    expect(hasMarker(undefined, 'perfgate')).toBe(false);
  });

  it('tells apart contexts that share a prefix', () => {
    expect(hasMarker(withMarker('x', 'perfgate-api'), 'perfgate')).toBe(false);
  });

  it('finds the oldest marked comment', () => {
    const comments = [
      { id: 1, body: 'LGTM' },
      { id: 2, body: withMarker('old', 'other') },
      { id: 3, body: withMarker('first', 'perfgate') },
      { id: 4, body: withMarker('second', 'perfgate') },
    ];
    expect(findMarked(comments, 'perfgate')?.id).toBe(3);
    expect(findMarked(comments, 'other')?.id).toBe(2);
    expect(findMarked(comments, 'none')).toBeUndefined();
  });

  it('truncates a body that GitHub would refuse, keeping the marker', () => {
    const long = 'x'.repeat(COMMENT_LIMIT * 2);
    const body = withMarker(long, 'perfgate');
    expect(body.length).toBeLessThanOrEqual(COMMENT_LIMIT);
    expect(hasMarker(body, 'perfgate')).toBe(true);
    expect(body).toMatch(/truncated: the full report is in the job summary/);
  });

  it('does not split a surrogate pair when truncating', () => {
    for (let limit = 100; limit < 104; limit++) {
      const body = withMarker('😀'.repeat(60), 'perfgate', limit);
      expect(body.length).toBeLessThanOrEqual(limit);
      expect(body).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
    }
  });
});
