#!/usr/bin/env node
/**
 * The `rsmooth` executable: `rsmooth <command> [options]` (see `rsmooth --help`).
 */
import { main } from '../cli/main.js';

const code = await main(process.argv.slice(2));
// 130: interrupted (Ctrl-C); exit now rather than wait for native work still in flight.
if (code === 130) process.exit(130);
process.exitCode = code;
