import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { isRsError } from '@rs/core';
import { parseLog } from '../../src/io/run-log.js';
import { parseResultsTsv } from '../../src/io/tsv.js';
import { cli, type CliRun } from '../helpers.js';

/** One seed for every fuzzer of the command line (change it to explore; failures print theirs). */
export const SEED = 10_2026;
/** A case that has not settled by then is a hang. */
export const HANG_MS = 20_000;

/** Prints the figures `.ci/run`'s log shows: target, cases, seed, time, outcomes. */
export function report(target: string, cases: number, started: number, outcomes?: Map<string, number>): void {
  const o = outcomes ? `; outcomes ${JSON.stringify(Object.fromEntries([...outcomes].sort()))}` : '';
  console.log(`fuzz ${target}: ${cases} cases, seed ${SEED}, ${Math.round(performance.now() - started)} ms${o}`);
}

/** Counts an outcome. */
export function count(outcomes: Map<string, number>, key: string): void {
  outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
}

/**
 * Runs a command in this process and classifies how it ended: `status N` or the error's code.
 * Anything but a result or an error of the project's own (with a code) fails the case, as does a
 * case that does not settle within {@link HANG_MS}.
 */
export async function runCase(argv: string[]): Promise<{ outcome: string; run: CliRun }> {
  let hang: ReturnType<typeof setTimeout> | undefined;
  try {
    const run = await Promise.race([
      cli(argv),
      new Promise<never>((_, reject) => {
        hang = setTimeout(() => reject(new Error(`hang: rsmooth ${argv.join(' ')} did not settle within ${HANG_MS} ms`)), HANG_MS);
      }),
    ]);
    if (run.error && !isRsError(run.error)) {
      throw new Error(`not a project error from rsmooth ${argv.join(' ')}: ${run.error.constructor.name}: ${run.error.message}`, { cause: run.error });
    }
    return { outcome: run.error ? (run.error as Error & { code: string }).code : `status ${run.status}`, run };
  } finally {
    clearTimeout(hang);
  }
}

/** The regular files of `dir` (recursively) with their contents: what a case must not destroy. */
export function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const s = statSync(p);
    if (s.isDirectory()) for (const [k, v] of snapshot(p)) out.set(k, v);
    else if (s.isFile()) out.set(p, readFileSync(p, 'latin1'));
  }
  return out;
}

/**
 * Checks what a case left in `dir`: no temporary file and no lock left behind; every file that was
 * there before unchanged, unless `mayChange` says this run may write it (then, like every new results
 * file or log, it must be complete and valid: no torn or partial write).
 */
export function checkOutputs(dir: string, before: Map<string, string>, mayChange: (path: string) => boolean): void {
  for (const [p, content] of snapshot(dir)) {
    if (p.includes('.tmp-')) throw new Error(`a temporary file was left behind: ${p}`);
    if (before.has(p) && before.get(p) === content) continue;
    if (before.has(p) && !mayChange(p)) throw new Error(`${p} was changed, although this run did not create it`);
    if (!existsSync(p) || content.length === 0) continue;
    if (p.endsWith('.tsv')) {
      const t = parseResultsTsv(readFileSync(p, 'utf8'), p);
      if (t.partialTail) throw new Error(`${p} ends in a partial line`);
    }
    if (p.endsWith('.jsonl')) {
      const text = readFileSync(p, 'utf8');
      if (!text.endsWith('\n')) throw new Error(`${p} ends in a partial line`);
      parseLog(text, p);
    }
  }
  for (const [p] of before) if (!existsSync(p) && !mayChange(p)) throw new Error(`${p} was deleted`);
  const locks = readdirSync(dir, { recursive: true }).filter((n) => String(n).endsWith('.lock'));
  if (locks.length > 0) throw new Error(`a lock was left behind: ${locks.join(', ')}`);
}

/** Removes a case's folder. */
export function clean(dir: string): void {
  if (existsSync(dir)) rmSync(dir, { recursive: true, force: true });
}
