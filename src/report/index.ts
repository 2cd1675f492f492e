// Renderers: result.json → Markdown (summary, PR comment), plain text (terminal), JSON (file).

export { renderMarkdown, type MarkdownOptions } from './markdown.js';
export { renderText, type TextOptions } from './text.js';
export { renderJson } from './json.js';
export { renderCalibrationYaml } from './calibration.js';
export { formatChange, formatCost } from './format.js';
export { markdownCode, markdownText, terminalText } from './escape.js';
export {
  gateOutcome,
  outputPaths,
  saveOutputs,
  type GateOutcome,
  type OutputPaths,
} from './outcome.js';
