import { CliError } from '../errors.js';
import { certifyCommand } from './certify.js';
import type { Command } from './command.js';

/**
 * `rsmooth demo`: certifies the bundled default (a CNN trained by `rsmooth train` on Fashion-MNIST,
 * 50 test images, sigma 0.25, n 10,000) offline and prints the rows and the accuracy-vs-radius table.
 */
export const demoCommand: Command = {
  name: 'demo',
  summary: 'certify the bundled model on 50 bundled Fashion-MNIST test images (offline, about 10 s)',
  options: Object.fromEntries(Object.entries(certifyCommand.options ?? {}).filter(([name]) => name !== 'model' && name !== 'data')),
  usage: () => `Usage: rsmooth demo [--n 10000] [--max m] [--seed K] [--threads N] [--quiet]

Same as 'rsmooth certify' with neither --model nor --data: certifies the bundled default model
(packages/cli/assets/model.onnx, trained by 'rsmooth train'; see assets/README.md) on the bundled
50 Fashion-MNIST test images (sigma 0.25, n0 100, n 10000, alpha 0.001, clip 0:1), prints the
certify.py rows and the certified accuracy table. Any certify flag except --model/--data may be added.`,
  async run(argv) {
    if (argv.includes('--help') || argv.includes('-h')) {
      process.stdout.write(`${demoCommand.usage()}\n`);
      return 0;
    }
    if (argv.some((a) => a === '--model' || a === '--data' || a.startsWith('--model=') || a.startsWith('--data='))) {
      throw new CliError(`rsmooth demo: runs the bundled default; use 'rsmooth certify' for your own --model/--data`, { code: 'RS_USAGE' });
    }
    return certifyCommand.run(argv);
  },
};
