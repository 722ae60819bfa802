import { describe, expect, it } from 'vitest';
import { canonicalJson, createRunSpec, groupAt, parseRunSpec, runIdFor } from '../src/index.js';

const settings = { command: 'certify', modelSha256: 'ab'.repeat(32), data: { count: 50, sha256: 'cd'.repeat(32) }, sigma: 0.25, n: 10_000, seed: '0' };

describe('run ids', () => {
  it('canonical JSON sorts keys at every level and keeps array order', () => {
    expect(canonicalJson({ b: 1, a: [2, { d: 3, c: 4 }], u: undefined })).toBe('{"a":[2,{"c":4,"d":3}],"b":1}');
  });

  it('equal settings give equal ids whatever the key order; any change gives another id', () => {
    const reordered = { seed: '0', n: 10_000, sigma: 0.25, data: { sha256: 'cd'.repeat(32), count: 50 }, modelSha256: 'ab'.repeat(32), command: 'certify' };
    expect(runIdFor(reordered)).toBe(runIdFor(settings));
    expect(runIdFor(settings)).toMatch(/^[0-9a-f]{24}$/);
    expect(runIdFor({ ...settings, sigma: 0.5 })).not.toBe(runIdFor(settings));
    expect(runIdFor({ ...settings, modelSha256: 'ef'.repeat(32) })).not.toBe(runIdFor(settings));
    expect(runIdFor({ ...settings, data: { ...settings.data, sha256: '00'.repeat(32) } })).not.toBe(runIdFor(settings));
  });
});

describe('run descriptions', () => {
  const spec = createRunSpec({ settings, task: { model: '/m.onnx' }, inputs: [0, 20, 40, 60, 80], samplesPerInput: 10_100, group: 2 });

  it('have the id of their settings and the defaults', () => {
    expect(spec).toMatchObject({ runId: runIdFor(settings), group: 2, attempts: 3, backoffMs: 5000 });
    expect(groupAt(spec, 4)).toEqual([80]);
    expect(groupAt(spec, 2)).toEqual([40, 60]);
  });

  it('a stored description round-trips through JSON', () => {
    expect(parseRunSpec(JSON.parse(JSON.stringify(spec)), 'x')).toEqual(spec);
  });

  it('refuses a description whose id does not match its settings (tampered)', () => {
    const tampered = { ...spec, settings: { ...settings, sigma: 0.5 } };
    expect(() => parseRunSpec(tampered, 'run x')).toThrow(/run x: its run id [0-9a-f]{24} is not the one its settings give/);
  });

  it('refuses bad fields, naming them', () => {
    expect(() => parseRunSpec({ ...spec, group: 0 }, 'run x')).toThrow(/group: /);
    expect(() => parseRunSpec({ ...spec, inputs: [1, -2] }, 'run x')).toThrow(/inputs\.1/);
    expect(() => parseRunSpec({ ...spec, inputs: [1, 1] }, 'run x')).toThrow(/input 1 is listed twice/);
    expect(() => parseRunSpec({ ...spec, extra: 1 }, 'run x')).toThrow(/not a valid run description/);
    expect(() => parseRunSpec('nope', 'run x')).toThrow(/not a valid run description/);
  });
});
