import { describe, expect, it } from 'vitest';
import { renderMarkdown, renderText } from '../../src/report/index.js';
import { endpoint, runResult } from '../action/results.js';

const HOSTILE = 'GET /<img src=x onerror=alert(1)>/@octocat/![pic](https://evil.example/p.png)';
const ANSI = 'GET /a\u001b[2J\u001b]0;owned\u0007';

describe('workload text in reports (issue 12)', () => {
  const result = runResult(
    'fail',
    [
      endpoint(HOSTILE, 'regression', { warnings: [`cost of ${HOSTILE}`] }),
      endpoint(ANSI, 'inconclusive'),
    ],
    `1 regression: ${HOSTILE} +12.1% (θ 3%)`,
  );
  result.warnings = [{ code: 'http-errors', message: `${HOSTILE} answered mostly HTTP errors` }];

  it('shows endpoint names in Markdown as text: no HTML, no image, no @mention', () => {
    const md = renderMarkdown(result);
    // Inside a code span nothing renders; outside one, nothing may be live.
    const prose = md.replace(/(`+)[^`].*?\1/g, '');
    expect(prose).not.toContain('<img');
    expect(prose).not.toContain('![pic](');
    expect(prose).not.toMatch(/@octocat/); // a zero-width space follows every @
    expect(prose).toContain('@\u200boctocat');
    // The table cell is a code span; the prose is escaped.
    expect(md).toContain(
      '`GET /<img src=x onerror=alert(1)>/@octocat/![pic](https://evil.example/p.png)`',
    );
    expect(md).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(md).toContain('\\!\\[pic\\](https://evil.example/p.png)');
  });

  it('keeps a code span closed whatever backticks the name holds', () => {
    const md = renderMarkdown(runResult('pass', [endpoint('GET /a``b`', 'unchanged')]));
    expect(md).toContain('``` GET /a``b` ```');
  });

  it('strips terminal control sequences from the text report', () => {
    const text = renderText(result);
    expect(text).not.toContain('\u001b');
    expect(text).not.toContain('\u0007');
    expect(text).toContain('GET /a\\x1b[2J\\x1b]0;owned\\x07');
  });
});
