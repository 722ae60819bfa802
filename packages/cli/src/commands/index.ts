import { analyzeCommand } from './analyze.js';
import { certifyCommand } from './certify.js';
import type { Command } from './command.js';
import { demoCommand } from './demo.js';
import { mergeCommand } from './merge.js';
import { predictCommand } from './predict.js';
import { queueCommand } from './queue.js';
import { selftestCommand } from './selftest.js';
import { trainCommand } from './train.js';
import { workerCommand } from './worker.js';

/**
 * Every `rsmooth` subcommand, in help order.
 */
export const COMMANDS: readonly Command[] = [
  certifyCommand,
  predictCommand,
  trainCommand,
  analyzeCommand,
  mergeCommand,
  selftestCommand,
  demoCommand,
  workerCommand,
  queueCommand,
];
