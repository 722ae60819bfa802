/**
 * Flag names of Cohen et al.'s `certify.py` / `predict.py` (`--N0`, `--N`) that rsmooth accepts as
 * aliases of its own (`--n0`, `--n`).
 */
export const FLAG_ALIASES: Readonly<Record<string, string>> = Object.freeze({ N: 'n', N0: 'n0' });

/**
 * Rewrites alias flags (`--N 1000`, `--N0=100`) to rsmooth's names, for the flags a command has;
 * arguments after `--` are left alone.
 */
export function applyFlagAliases(argv: readonly string[], spec: Readonly<Record<string, unknown>>): string[] {
  const end = argv.indexOf('--');
  return argv.map((arg, i) => {
    if (end >= 0 && i >= end) return arg;
    const m = /^--([^=]+)(=.*)?$/s.exec(arg);
    const target = m ? FLAG_ALIASES[m[1]!] : undefined;
    return target !== undefined && target in spec ? `--${target}${m![2] ?? ''}` : arg;
  });
}
