import { describe, expect, it } from 'vitest';
import {
  formatDuration,
  formatPercent,
  parseDuration,
  parsePercent,
} from '../../src/config/index.js';

describe('parseDuration', () => {
  it.each([
    ['500ms', 500],
    ['60s', 60_000],
    ['5m', 300_000],
    ['1h', 3_600_000],
    ['1h30m', 5_400_000],
    ['1.5s', 1_500],
    [' 2 m ', 120_000],
    ['0ms', 0],
  ])('%s → %i ms', (text, ms) => {
    expect(parseDuration(text)).toEqual({ ok: true, value: ms });
  });

  it.each(['60', 'five minutes', '5 minutes', '-1s', '1d', '', 's'])('refuses %j', (text) => {
    expect(parseDuration(text).ok).toBe(false);
  });

  it('refuses bare numbers with a hint', () => {
    expect(parseDuration(30)).toEqual({
      ok: false,
      message: 'expected a duration such as 500ms, 60s, 5m or 1h, got the bare number 30',
      hint: "add a unit, e.g. '30s' or '30ms'",
    });
    expect(parseDuration('30')).toMatchObject({ ok: false, hint: "add a unit, e.g. '30s'" });
  });

  it('formats back', () => {
    expect(formatDuration(1_800_000)).toBe('30m');
    expect(formatDuration(1_500)).toBe('1500ms');
    expect(formatDuration(0)).toBe('0ms');
  });
});

describe('parsePercent', () => {
  it.each([
    ['3%', 0.03],
    ['0.5%', 0.005],
    ['10 %', 0.1],
    ['0%', 0],
    ['150%', 1.5],
  ])('%s → %d', (text, fraction) => {
    expect(parsePercent(text)).toEqual({ ok: true, value: fraction });
  });

  it.each(['3', '3 percent', '-3%', '%', 'abc'])('refuses %j', (text) => {
    expect(parsePercent(text).ok).toBe(false);
  });

  it('refuses bare numbers with a hint that reads both ways', () => {
    expect(parsePercent(0.05)).toMatchObject({
      ok: false,
      hint: "write '5%' if 0.05 is a fraction, or '0.05%'",
    });
    expect(parsePercent(5)).toMatchObject({ ok: false, hint: "write '5%'" });
  });

  it('formats back', () => {
    expect(formatPercent(0.03)).toBe('3%');
    expect(formatPercent(0.005)).toBe('0.5%');
  });
});
