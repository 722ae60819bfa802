import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { AbortError, ClassifierContractError, ERROR_CODES, ForwardTimeoutError, isRsError, RsError, RsRangeError, RsTypeError } from '../src/index.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
/** Every package: each error any of them throws carries a code. */
const PACKAGES = readdirSync(join(ROOT, 'packages')).filter((p) => statSync(join(ROOT, 'packages', p, 'src'), { throwIfNoEntry: false })?.isDirectory());

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return sources(p);
    return p.endsWith('.ts') && !p.endsWith('.d.ts') ? [p] : [];
  });
}
const files = PACKAGES.flatMap((pkg) => sources(join(ROOT, 'packages', pkg, 'src')));
const CODE = /['"`](RS_[A-Z0-9_]+)['"`]/g;

describe('the error mechanism', () => {
  it('covers every package, the backends included', () => {
    expect(PACKAGES).toEqual(expect.arrayContaining(['core', 'cli', 'datasets', 'onnx', 'onnx-graph', 'tfjs', 'webgpu-native', 'queue']));
  });

  it('RsTypeError / RsRangeError keep TypeError / RangeError semantics and add a code', () => {
    const t = new RsTypeError('RS_INVALID_ARG_TYPE', "'x' must be a Float32Array");
    const r = new RsRangeError('RS_INVALID_ARG_VALUE', "'alpha' must be in (0, 0.5)");
    expect(t).toBeInstanceOf(TypeError);
    expect(r).toBeInstanceOf(RangeError);
    expect([t.name, r.name]).toEqual(['TypeError', 'RangeError']);
    for (const e of [t, r, new RsError('RS_INTERNAL', 'x'), new AbortError(), new ClassifierContractError('x'), new ForwardTimeoutError('x', 0, [])]) {
      expect(e).toBeInstanceOf(RsError);
      expect(isRsError(e)).toBe(true);
      expect(Object.hasOwn(ERROR_CODES, e.code)).toBe(true);
    }
    expect(new AbortError()).toMatchObject({ name: 'AbortError', code: 'RS_ABORTED' });
    expect(new ClassifierContractError('x', { code: 'RS_CLASSIFIER_FAILED' }).code).toBe('RS_CLASSIFIER_FAILED');
    expect(new ForwardTimeoutError('x', 3, [7])).toMatchObject({ name: 'ForwardTimeoutError', code: 'RS_FORWARD_TIMEOUT', batch: 3, inputIds: [7] });
  });

  it('subclass checks stay exact; plain errors and unknown codes are not project errors', () => {
    expect(new AbortError()).not.toBeInstanceOf(ClassifierContractError);
    expect(new RsError('RS_INTERNAL', 'x')).not.toBeInstanceOf(AbortError);
    expect(new TypeError('x')).not.toBeInstanceOf(RsError);
    expect(isRsError(Object.assign(new Error('x'), { code: 'ENOENT' }))).toBe(false);
    expect(isRsError({ code: 'RS_ABORTED' })).toBe(false);
    expect(() => new RsError('RS_NO_SUCH_CODE' as never, 'x')).toThrow(/unknown error code/);
  });
});

describe('the code table', () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Errors programs can branch on'));
  const table = new Set([...section.slice(0, section.indexOf('\n## ')).matchAll(/^\|\s*`(RS_[A-Z0-9_]+)`\s*\|/gm)].map((m) => m[1]!));
  const used = new Map<string, string>();
  for (const f of files) {
    if (f.endsWith('error-codes.ts')) continue;
    for (const m of readFileSync(f, 'utf8').matchAll(CODE)) if (!used.has(m[1]!)) used.set(m[1]!, relative(ROOT, f));
  }

  it('the README table lists exactly the codes of ERROR_CODES', () => {
    expect([...table].sort()).toEqual(Object.keys(ERROR_CODES).sort());
  });

  it('every code used in the sources is in the table, and every code in the table is used', () => {
    const unknown = [...used].filter(([code]) => !table.has(code)).map(([code, file]) => `${code} (${file})`);
    expect(unknown).toEqual([]);
    expect([...table].filter((code) => !used.has(code))).toEqual([]);
  });

  it('the README names each code with the error class ERROR_CODES gives it', () => {
    for (const [code, { error }] of Object.entries(ERROR_CODES)) expect(section).toMatch(new RegExp(`^\\|\\s*\`${code}\`\\s*\\|\\s*\`${error}\`\\s*\\|`, 'm'));
  });
});

describe('no error without a code', () => {
  // Files whose throw sites are converted later, each with its reason. Shrinks, never grows.
  const PENDING: Record<string, string> = {
    'packages/core/src/errors.ts': 'the check of a code itself: an unknown code is a bug of the caller',
    'packages/core/src/node/noise-worker-program.ts': "inside the worker's source text, caught there and reported through shared memory",
  };

  it('every package throws only project errors', () => {
    const plain = files
      .map((f) => relative(ROOT, f))
      .filter((f) => !Object.hasOwn(PENDING, f))
      .flatMap((f) =>
        readFileSync(join(ROOT, f), 'utf8')
          .split('\n')
          .map((line, i) => ({ line, at: `${f}:${i + 1}` }))
          .filter(({ line }) => /\bnew (Error|TypeError|RangeError|SyntaxError)\(/.test(line) && !/^\s*(\*|\/\/)/.test(line))
          .map(({ at, line }) => `${at}: ${line.trim()}`),
      );
    expect(plain).toEqual([]);
  });

  it('every pending file still exists (remove it from the list once converted)', () => {
    for (const f of Object.keys(PENDING)) expect(statSync(join(ROOT, f)).isFile()).toBe(true);
  });
});
