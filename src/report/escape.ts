// Text that comes from a workload (endpoint names, paths, a server's output) is shown as text
// wherever it appears: in Markdown no HTML renders, no image loads, no @mention pings anyone;
// on a terminal no escape sequence runs.

const ZERO_WIDTH_SPACE = '\u200b';

/**
 * Markdown prose: every punctuation character Markdown could read is backslash-escaped, `<`, `>`
 * and `&` become entities, and `@` is followed by a zero-width space so it mentions no one.
 * Line breaks become spaces (a table row or a list item is one line).
 */
export function markdownText(text: string): string {
  return text
    .replace(/\r?\n|\r/g, ' ')
    .replace(/[&<>]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : '&gt;'))
    .replace(/[\\`*_[\]!#|~]/g, (c) => `\\${c}`)
    .replace(/@/g, `@${ZERO_WIDTH_SPACE}`);
}

/**
 * A Markdown code span: inert for HTML, images and mentions; fenced by a backtick run longer than
 * any inside, so the text cannot close it. `|` is escaped for table cells.
 */
export function markdownCode(text: string): string {
  const t = text.replace(/\r?\n|\r/g, ' ').replace(/\|/g, '\\|');
  const longest = Math.max(0, ...Array.from(t.matchAll(/`+/g), (m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  const pad = longest > 0 || t.startsWith(' ') || t.endsWith(' ') ? ' ' : '';
  return `${fence}${pad}${t}${pad}${fence}`;
}

/**
 * Terminal text: control characters (ESC, BEL, CR, C1 controls) are shown as `\xHH`, so a
 * workload cannot move the cursor, retitle the window or hide a line. Tabs and line breaks stay.
 */
export function terminalText(text: string): string {
  return text.replace(
    // eslint-disable-next-line no-control-regex
    /[\x00-\x08\x0b-\x1f\x7f-\x9f]/g,
    (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`,
  );
}
