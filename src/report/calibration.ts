// `perfgate calibrate` output: a YAML block to paste under `thresholds.endpoints`.

import type { CalibrationRow } from '../analysis/calibrate.js';
import { thresholdPercent } from './format.js';

function pct(fraction: number): string {
  return `${(fraction * 100).toFixed(2)}%`;
}

/**
 * One line per endpoint, keys double-quoted (JSON strings are valid YAML, and endpoint names
 * hold spaces, slashes and `*`), values as the percentages perfgate.yml takes ("6.5%"), with the
 * evidence in a comment.
 */
export function renderCalibrationYaml(rows: readonly CalibrationRow[]): string {
  const lines = [
    '# perfgate calibrate: suggested thresholds from an A/A run (same build on both sides).',
    '# noise = SD of per-round ln(after/before); detectable = change found with 90% power.',
    '# Paste under thresholds.endpoints:',
  ];
  for (const row of rows) {
    const key = JSON.stringify(row.endpoint);
    const why =
      row.noise === null || row.detectable === null
        ? `too few rounds (${row.rounds}) to measure noise; kept ${thresholdPercent(row.configured)}`
        : `noise ${pct(row.noise)}${row.meanNoise !== undefined ? ` (median of block means; plain mean ${pct(row.meanNoise)})` : ''}, detectable ${pct(row.detectable)} at ${row.designRounds} rounds, A/A ${pct(row.observed ?? 0)}; was ${thresholdPercent(row.configured)} (${row.configuredSource})`;
    lines.push(`${key}: ${JSON.stringify(thresholdPercent(row.suggested))} # ${why}`);
  }
  return `${lines.join('\n')}\n`;
}
