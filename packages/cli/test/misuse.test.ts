import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeNpy } from '@rs/datasets';
import { describe, expect, it } from 'vitest';
import { cli, FIXTURE, MODEL, rsmoothAsync, tempDir, X, Y } from './helpers.js';

// Issue #10: the command-line rows a hostile new user found, each a test that failed before the fix.
// Run in this process through the command objects; row 2 also starts one real rsmooth process.

const dir = tempDir();
const path = (name: string) => join(dir, name);
const CERTIFY = ['certify', ...FIXTURE, '--n0', '20', '--n', '200', '--batch', '200', '--seed', '5', '--quiet'];
const lines = (p: string) => readFileSync(p, 'utf8').split('\n');

/** Expects a refusal with this code and message, and that nothing in `untouched` changed. */
async function refused(argv: string[], code: string, message: RegExp, untouched: string[] = []) {
  const before = untouched.map((p) => (existsSync(p) ? readFileSync(p, 'utf8') : null));
  const r = await cli(argv);
  expect(r.error?.message ?? `(no error; status ${r.status})`).toMatch(message);
  expect(r.error?.code).toBe(code);
  expect(r.status).not.toBe(0);
  untouched.forEach((p, i) => {
    expect(existsSync(p) ? readFileSync(p, 'utf8') : null).toBe(before[i]);
  });
  return r;
}

describe('row 2: one writer per output; a killed writer does not block resuming', () => {
  it('a second writer is refused naming the PID of the first; after kill -9 the run resumes', async () => {
    const out = path('two.tsv');
    const args = ['certify', ...FIXTURE, '--n0', '50', '--n', '5000', '--batch', '1000', '--seed', '2', '--max', '8', '--quiet', '--out', out];
    const child = rsmoothAsync(args);
    const exited = new Promise((resolve) => child.on('exit', resolve));
    for (let t = 0; t < 400 && !(existsSync(out) && lines(out).length >= 3); t++) await new Promise((r) => setTimeout(r, 25));
    const second = await cli(args);
    child.kill('SIGKILL');
    await exited;
    expect(second.error?.code).toBe('RS_OUTPUT_LOCKED');
    expect(second.error?.message).toMatch(new RegExp(`is being written by process ${child.pid} `));
    const kept = lines(out).length - 2;
    expect(kept).toBeLessThan(8); // the kill landed mid-run
    const resumed = await cli(args);
    expect(resumed.status, resumed.stderr).toBe(0);
    const idx = lines(out)
      .slice(1, -1)
      .map((l) => Number(l.split('\t')[0]));
    expect(idx).toEqual([0, 1, 2, 3, 4, 5, 6, 7]); // every input once
    expect(existsSync(`${out}.lock`)).toBe(false);
  });
});

describe('row 3: labels are checked before they are narrowed', () => {
  it('an int64 label of 2^40 is refused, not wrapped to 0', async () => {
    const labels = path('big-labels.npy');
    const y = new BigInt64Array(20).fill(1n);
    y[0] = 2n ** 40n;
    writeFileSync(labels, writeNpy({ dtype: 'int64', shape: [20], data: y }));
    const out = path('r3.tsv');
    await refused(
      ['certify', ...FIXTURE.map((a) => (a === Y ? labels : a)), '--n', '100', '--out', out],
      'RS_INVALID_INPUT',
      /label 1099511627776 at index 0 is not a class index/,
    );
    expect(existsSync(out)).toBe(false);
  });
});

describe('row 4: resume and merge recompute every row from its log record', () => {
  const ref = path('ref4.tsv');
  const copy = (name: string, edit?: { tsv?: (l: string[]) => string[]; log?: (l: string[]) => string[] }) => {
    const p = path(name);
    writeFileSync(p, (edit?.tsv ?? ((l) => l))(lines(ref)).join('\n'));
    writeFileSync(`${p}.jsonl`, (edit?.log ?? ((l) => l))(lines(`${ref}.jsonl`)).join('\n'));
    return p;
  };
  const setField = (line: string, i: number, v: string) =>
    line
      .split('\t')
      .map((f, j) => (j === i ? v : f))
      .join('\t');

  it('the reference run', async () => {
    const r = await cli([...CERTIFY, '--max', '4', '--out', ref]);
    expect(r.status, r.stderr).toBe(0);
  });

  it('an edited radius is refused on resume, naming the line', async () => {
    const p = copy('edited.tsv', { tsv: (l) => l.map((x, i) => (i === 2 ? setField(x, 3, '9.999') : x)) });
    await refused([...CERTIFY, '--max', '4', '--out', p], 'RS_RECORD_MISMATCH', /edited\.tsv, line 3: .*radius 9\.999.*log record .*radius/, [p, `${p}.jsonl`]);
  });

  it('a record whose counts were edited no longer gives its pALower: refused', async () => {
    const p = copy('counts.tsv', {
      log: (l) =>
        l.map((x, i) => {
          if (i !== 1) return x;
          const rec = JSON.parse(x);
          rec.nA = Math.max(0, rec.nA - 50);
          rec.estimationCounts[rec.selected] -= 50;
          rec.estimationCounts[(rec.selected + 1) % 10] += 50;
          return JSON.stringify(rec);
        }),
    });
    await refused([...CERTIFY, '--max', '4', '--out', p], 'RS_RECORD_MISMATCH', /counts\.tsv\.jsonl, line 2: pALower .* does not follow from nA/, [
      p,
      `${p}.jsonl`,
    ]);
  });

  it('reordered log records are refused', async () => {
    const p = copy('reordered.tsv', { log: (l) => [l[0]!, l[2]!, l[1]!, ...l.slice(3)] });
    await refused([...CERTIFY, '--max', '4', '--out', p], 'RS_RECORD_MISMATCH', /reordered\.tsv\.jsonl, line 2: .*idx 1.*row .*idx 0/);
  });

  it('merge refuses a shard row whose radius its record does not give', async () => {
    const s0 = path('m0.tsv');
    const s1 = path('m1.tsv');
    expect((await cli([...CERTIFY, '--max', '4', '--shard', '0/2', '--out', s0])).status).toBe(0);
    expect((await cli([...CERTIFY, '--max', '4', '--shard', '1/2', '--out', s1])).status).toBe(0);
    writeFileSync(
      s0,
      lines(s0)
        .map((x, i) => (i === 1 ? setField(x, 3, '5.000') : x))
        .join('\n'),
    );
    const merged = path('m.tsv');
    await refused(['merge', s0, s1, '--out', merged], 'RS_RECORD_MISMATCH', /m0\.tsv, line 2: .*radius 5\.000/);
    expect(existsSync(merged)).toBe(false);
  });
});

describe('row 6: --log never destroys a file this run did not create', () => {
  it('an existing --log file is refused and left as it was', async () => {
    const precious = path('precious.txt');
    writeFileSync(precious, 'my notes\n');
    const out = path('r6a.tsv');
    await refused([...CERTIFY, '--max', '1', '--out', out, '--log', precious], 'RS_OUTPUT_EXISTS', /--log .*precious\.txt exists/, [precious]);
    expect(existsSync(out)).toBe(false);
  });

  it('--log and --out naming the same file are refused', async () => {
    const out = path('same.tsv');
    await refused([...CERTIFY, '--max', '1', '--out', out, '--log', out], 'RS_OUTPUT_CONFLICT', /--log and --out are the same file/);
    expect(existsSync(out)).toBe(false);
  });

  it('the default OUT.jsonl is not overwritten when the TSV is missing', async () => {
    const out = path('r6c.tsv');
    writeFileSync(`${out}.jsonl`, 'someone else\n');
    await refused([...CERTIFY, '--max', '1', '--out', out], 'RS_OUTPUT_EXISTS', /r6c\.tsv\.jsonl exists/, [`${out}.jsonl`]);
    expect(existsSync(out)).toBe(false);
  });
});

describe('row 7: outputs are regular files', () => {
  it.each([['/dev/full'], ['/dev/stdout'], ['/dev/null']])('--out %s is refused before anything is read or written', async (device) => {
    await refused([...CERTIFY, '--max', '1', '--out', device], 'RS_OUTPUT_NOT_REGULAR', /--out .* is not a regular file/);
  });

  it("'-' means stdout", async () => {
    const r = await cli([...CERTIFY, '--max', '1', '--out', '-']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^idx\tlabel\tpredict\tradius\tcorrect\ttime\n0\t/);
  });
});

describe('row 8: log settings are validated when read', () => {
  const s0 = path('v0.tsv');
  const s1 = path('v1.tsv');
  const editSettings = (p: string, edit: (settings: Record<string, unknown>) => void) => {
    const l = lines(`${p}.jsonl`);
    const head = JSON.parse(l[0]!);
    edit(head.settings);
    writeFileSync(`${p}.jsonl`, [JSON.stringify(head), ...l.slice(1)].join('\n'));
  };

  it('shards to merge', async () => {
    expect((await cli([...CERTIFY, '--max', '2', '--shard', '0/2', '--out', s0])).status).toBe(0);
    expect((await cli([...CERTIFY, '--max', '2', '--shard', '1/2', '--out', s1])).status).toBe(0);
  });

  it('"skip": 0 and "max": null, or a count of 1e15, are refused by name (no V8 fatal)', async () => {
    editSettings(s0, (s) => {
      (s.selection as Record<string, unknown>).skip = 0;
    });
    await refused(['merge', s0, s1, '--out', path('v.tsv')], 'RS_MALFORMED_FILE', /v0\.tsv\.jsonl, line 1: settings\.selection\.skip/);
    editSettings(s0, (s) => {
      (s.selection as Record<string, unknown>).skip = 1;
      (s.data as Record<string, unknown>).count = 1e15;
    });
    await refused(['merge', s0, s1, '--out', path('v.tsv')], 'RS_MALFORMED_FILE', /v0\.tsv\.jsonl, line 1: settings\.data\.count/);
  });

  it('a log without settings, and an alpha that is not a number, are named errors', async () => {
    editSettings(s0, (s) => {
      (s.data as Record<string, unknown>).count = 20;
    });
    writeFileSync(`${s1}.jsonl`, `${lines(`${s1}.jsonl`).slice(1).join('\n')}`);
    await refused(['merge', s0, s1, '--out', path('v.tsv')], 'RS_MALFORMED_FILE', /v1\.tsv\.jsonl, line 1: .*settings/);
    editSettings(s0, (s) => {
      (s.data as Record<string, unknown>).count = 20;
      s.alpha = 'abc';
    });
    await refused(['analyze', s0], 'RS_MALFORMED_FILE', /v0\.tsv\.jsonl, line 1: settings\.alpha/);
  });
});

describe('row 10: non-finite data is refused up front, naming the data set index', () => {
  it('NaN at dataset index 1 without --clip', async () => {
    const x = new Float32Array(3 * 784);
    x[784 + 5] = Number.NaN;
    const data = path('nan.npy');
    const labels = path('nan-labels.npy');
    writeFileSync(data, writeNpy({ dtype: 'float32', shape: [3, 1, 28, 28], data: x }));
    writeFileSync(labels, writeNpy({ dtype: 'int32', shape: [3], data: new Int32Array([0, 1, 2]) }));
    const out = path('r10.tsv');
    await refused(
      ['certify', '--model', MODEL, '--data', data, '--labels', labels, '--sigma', '0.25', '--n', '100', '--out', out],
      'RS_INVALID_INPUT',
      /dataset index 1 has NaN at feature 5/,
    );
    expect(existsSync(out)).toBe(false);
  });
});

describe('row 11: a bad --log folder writes nothing', () => {
  it('refused before the TSV exists; the same command with a good --log then runs', async () => {
    const out = path('r11.tsv');
    await refused([...CERTIFY, '--max', '1', '--out', out, '--log', path('nodir/x.jsonl')], 'RS_USAGE', /the folder of --log does not exist/);
    expect(existsSync(out)).toBe(false);
    expect((await cli([...CERTIFY, '--max', '1', '--out', out, '--log', path('x.jsonl')])).status).toBe(0);
  });
});

describe('row 12: .npy dtypes are looked up as own properties', () => {
  it.each(['__proto__', 'constructor', 'toString'])("descr '%s' is refused", async (descr) => {
    const bytes = writeNpy({ dtype: 'uint8', shape: [20, 784], data: new Uint8Array(20 * 784) });
    const text = Buffer.from(bytes).toString('latin1').replace("'|u1'", `'${descr}'`.padEnd(5));
    const data = path(`proto-${descr}.npy`);
    writeFileSync(data, Buffer.from(text, 'latin1'));
    await refused(
      ['certify', ...FIXTURE.map((a) => (a === X ? data : a)), '--n', '100', '--out', path('r12.tsv')],
      'RS_UNSUPPORTED_FORMAT',
      /unsupported \.npy dtype/,
    );
  });
});

describe('row 13: uint8 data needs --scale-uint8 or an explicit --clip', () => {
  it('refused without either; accepted with --clip 0:255', async () => {
    const data = path('u8.npy');
    writeFileSync(data, writeNpy({ dtype: 'uint8', shape: [20, 784], data: new Uint8Array(20 * 784).fill(128) }));
    const args = ['certify', '--model', MODEL, '--data', data, '--labels', Y, '--sigma', '0.25', '--n', '100', '--max', '1', '--threads', '1', '--quiet'];
    await refused([...args, '--out', path('r13.tsv')], 'RS_INVALID_INPUT', /uint8 .*--scale-uint8.*--clip 0:255/);
    expect((await cli([...args, '--clip', '0:255'])).status).toBe(0);
    expect((await cli([...args, '--scale-uint8'])).status).toBe(0);
  });
});

describe('row 14: every error names its flag; nothing is left behind', () => {
  it('--batch 1e9 is refused naming --batch (no raw typed-array error)', async () => {
    const args = ['certify', ...FIXTURE, '--n', '1000000000', '--batch', '1e9', '--max', '1', '--out', path('r14.tsv')];
    await refused(args, 'RS_BATCH_TOO_LARGE', /--batch 1000000000: .* GiB/);
  });

  it('--out a directory', async () => {
    mkdirSync(path('adir'), { recursive: true });
    await refused([...CERTIFY, '--max', '1', '--out', path('adir')], 'RS_OUTPUT_NOT_REGULAR', /--out .*adir is not a regular file/);
  });

  it('--plot to a directory leaves no temporary file', async () => {
    const ref = path('p14.tsv');
    writeFileSync(ref, 'idx\tlabel\tpredict\tradius\tcorrect\ttime\n0\t1\t1\t0.500\t1\t0:00:01\n');
    mkdirSync(path('d.svg'), { recursive: true });
    await refused(['analyze', ref, '--plot', path('d.svg')], 'RS_OUTPUT_NOT_REGULAR', /--plot .*d\.svg is not a regular file/);
    expect(readdirSync(dir).filter((f) => f.includes('.tmp-'))).toEqual([]);
  });

  it('resuming a CRLF file names the line endings', async () => {
    const out = path('crlf.tsv');
    expect((await cli([...CERTIFY, '--max', '2', '--out', out])).status).toBe(0);
    writeFileSync(out, readFileSync(out, 'utf8').replaceAll('\n', '\r\n'));
    await refused([...CERTIFY, '--max', '3', '--out', out], 'RS_MALFORMED_FILE', /CRLF/);
  });

  it("merge --force never overwrites an input's log", async () => {
    const a = path('f0.tsv');
    const b = path('f1.tsv');
    expect((await cli([...CERTIFY, '--max', '2', '--shard', '0/2', '--out', a])).status).toBe(0);
    expect((await cli([...CERTIFY, '--max', '2', '--shard', '1/2', '--out', b])).status).toBe(0);
    await refused(['merge', a, b, '--force', '--out', `${a}.jsonl`], 'RS_OUTPUT_CONFLICT', /f0\.tsv\.jsonl .*input/, [a, `${a}.jsonl`, b, `${b}.jsonl`]);
  });
});

describe('row 15: flags are given once, numbers in decimal', () => {
  it('a repeated flag is refused', async () => {
    await refused([...CERTIFY, '--sigma', '0.5'], 'RS_USAGE', /--sigma is given twice \(0\.25, 0\.5\)/);
  });

  it.each(['0x10', '0b1', '0o7', 'Infinity', ' 1', '1_0.5'])('--sigma %j is refused', async (v) => {
    await refused(['certify', ...FIXTURE.map((a) => (a === '0.25' ? v : a)), '--n', '100'], 'RS_USAGE', /--sigma must be a number > 0/);
  });
});

describe('row 16: analyze reads only well-formed rows', () => {
  const tsv = (rows: string[]) => {
    const p = path(`a16-${rows.length}-${Math.random().toString(36).slice(2)}.tsv`);
    writeFileSync(p, ['idx\tlabel\tpredict\tradius\tcorrect\ttime', ...rows].join('\n'));
    return p;
  };
  it.each([
    ['a negative radius', '0\t1\t1\t-0.5\t1\t0:00:01', /radius/],
    ['a hex radius', '0\t1\t1\t0x1\t1\t0:00:01', /radius/],
    ['idx 1e0', '1e0\t1\t1\t0.5\t1\t0:00:01', /idx/],
    ['correct 0 although predict = label', '0\t1\t1\t0.5\t0\t0:00:01', /correct/],
    ['correct 1 although predict != label', '0\t1\t2\t0.5\t1\t0:00:01', /correct/],
    ['an abstain with a radius', '0\t1\t-1\t0.5\t0\t0:00:01', /abstain/],
  ])('%s is refused', async (_name, row, message) => {
    await refused(['analyze', tsv([row, ''])], 'RS_MALFORMED_FILE', message);
  });

  it('a trailing blank line is accepted; radius 1e308 keeps ACR finite', async () => {
    const r = await cli(['analyze', tsv(['0\t1\t1\t1e308\t1\t0:00:01', '1\t1\t1\t1e308\t1\t0:00:01', '', ''])]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).not.toMatch(/Infinity|NaN/);
  });
});
