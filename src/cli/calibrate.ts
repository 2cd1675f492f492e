import { resolve } from 'node:path';
import { calibrate } from '../analysis/index.js';
import { loadConfig } from '../config/index.js';
import { runGate } from '../pipeline.js';
import { renderCalibrationYaml } from '../report/index.js';
import { readSamples } from '../samples/index.js';
import type { Command } from './command.js';
import { parseCommandArgs, write } from './command.js';

const help = `Usage: perfgate calibrate [--config perfgate.yml] [--out DIR] [--samples FILE]

Runs the after build against itself (A/A) for the configured rounds, measures each endpoint's
noise (the spread of its round-to-round log ratios), and prints per-endpoint thresholds the data
support: the larger of the configured threshold and the change this design detects with 90 %
power. The output is a YAML block to paste under 'thresholds.endpoints'.

Options:
  -c, --config FILE    the config (default: perfgate.yml)
  -o, --out DIR        where the A/A samples go (default: .perfgate/calibrate)
      --samples FILE   calibrate from saved A/A samples instead of measuring
  -h, --help           show this help

Exit status: 0, or 2 on error.`;

export const calibrateCommand: Command = {
  name: 'calibrate',
  summary: 'measure A/A noise per endpoint and suggest thresholds',
  help,
  async run(argv, ctx) {
    const args = parseCommandArgs(
      'calibrate',
      argv,
      {
        config: { type: 'string', short: 'c' },
        out: { type: 'string', short: 'o' },
        samples: { type: 'string' },
      },
      false,
    );
    if (args.help) {
      write(ctx.stdout, help);
      return 0;
    }
    const configPath = resolve(ctx.cwd, args.values.config ?? 'perfgate.yml');
    let samplesPath: string;
    if (args.values.samples) {
      samplesPath = resolve(ctx.cwd, args.values.samples);
    } else {
      const outcome = await runGate({
        configPath,
        outDir: resolve(ctx.cwd, args.values.out ?? '.perfgate/calibrate'),
        aa: true,
        logger: ctx.logger,
        signal: ctx.signal,
        env: ctx.env,
      });
      ctx.logger.progress('');
      if (outcome.error) {
        ctx.logger.error(outcome.error);
        return 2;
      }
      samplesPath = outcome.samplesPath;
      ctx.logger.info(`A/A samples: ${samplesPath}`);
    }
    const config = await loadConfig(configPath);
    const rows = calibrate(await readSamples(samplesPath), {
      thresholds: config.thresholds,
      alpha: config.alpha,
      rounds: config.measure.rounds,
    });
    write(ctx.stdout, renderCalibrationYaml(rows));
    return 0;
  },
};
