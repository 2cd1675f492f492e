import { resolve } from 'node:path';
import { UsageError } from '../errors.js';
import { renderJson, renderMarkdown, renderText } from '../report/index.js';
import type { Command } from './command.js';
import { parseCommandArgs, write } from './command.js';
import { loadResult } from './result-file.js';
import { parseFormat } from './formats.js';

const help = `Usage: perfgate report RESULT.json [--format markdown|text|json]

Renders a result.json written by 'perfgate run' or 'perfgate compare'.

Options:
  -f, --format F   markdown (default), text or json
  -h, --help       show this help

Exit status: 0, or 2 when the file is missing or is not a perfgate result.`;

export const reportCommand: Command = {
  name: 'report',
  summary: 'render a result.json as markdown, text or JSON',
  help,
  async run(argv, ctx) {
    const args = parseCommandArgs('report', argv, { format: { type: 'string', short: 'f' } });
    if (args.help) {
      write(ctx.stdout, help);
      return 0;
    }
    if (args.positionals.length !== 1) {
      throw new UsageError(
        'perfgate report: expected one RESULT.json file',
        "run 'perfgate report --help' for usage",
      );
    }
    const format = parseFormat(args.values.format, 'markdown');
    const file = resolve(ctx.cwd, args.positionals[0]!);
    const result = await loadResult(file);
    write(
      ctx.stdout,
      format === 'json'
        ? renderJson(result)
        : format === 'text'
          ? renderText(result)
          : renderMarkdown(result),
    );
    return 0;
  },
};
