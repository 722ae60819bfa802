import { z } from 'zod';
import { intFlag, type OptionSpec } from '../cli/args.js';

/**
 * The flags certify and predict take for the queue mode.
 */
export const QUEUE_RUN_OPTIONS: OptionSpec = {
  queue: {
    type: 'string',
    help: 'run on a job queue instead of here: redis://[user:password@]host:port[/prefix] (rediss:// for TLS; password also from RSMOOTH_QUEUE_PASSWORD); start workers with rsmooth worker',
    arg: 'URL',
  },
  attempts: { type: 'string', help: 'with --queue: attempts per job before it fails (default 3)', arg: 'N' },
};

/**
 * zod shape of {@link QUEUE_RUN_OPTIONS}.
 */
export const queueRunShape = {
  queue: z.string().min(1).optional(),
  attempts: intFlag(1, 100).optional(),
};
