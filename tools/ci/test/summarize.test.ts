import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const SCRIPT = fileURLToPath(new URL('../summarize.mjs', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'summarize-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const present = join(root, 'present');
writeFileSync(present, '');
const absent = join(root, 'absent');

/** A fake repository whose packages left these vitest reports; returns summarize's output lines. */
function summarize(name: string, reports: Record<string, { passed: number; failed?: number; skipped?: number }>, env: Record<string, string>) {
  const dir = join(root, name);
  mkdirSync(join(dir, 'tools'), { recursive: true });
  for (const [pkg, r] of Object.entries(reports)) {
    const p = join(dir, pkg);
    mkdirSync(p, { recursive: true });
    writeFileSync(join(p, 'vitest.config.ts'), '');
    const failed = r.failed ?? 0;
    const report = { numPassedTests: r.passed, numFailedTests: failed, numPendingTests: r.skipped ?? 0, numTodoTests: 0, success: failed === 0 };
    writeFileSync(join(p, '.vitest-report.json'), JSON.stringify(report));
  }
  const out = spawnSync(process.execPath, [SCRIPT, dir], { encoding: 'utf8', env: { ...process.env, ...env } });
  return out.stdout.trim().split('\n');
}

describe('the CI summary line', () => {
  it('sums the reports', () => {
    const lines = summarize('plain', { 'packages/core': { passed: 5 }, 'packages/onnx-graph': { passed: 2, failed: 1 } }, {});
    expect(lines.at(-1)).toBe('7 passed, 1 failed, 0 skipped');
  });

  it('fails a package whose tests skipped although their prerequisite is installed (WebGPU: 3 passed, 92 skipped)', () => {
    const lines = summarize('skipped-installed', { 'packages/webgpu-native': { passed: 3, skipped: 92 } }, { RS_CI_SWIFTSHADER: present });
    expect(lines).toContain(
      `packages/webgpu-native: FAILED: 92 test(s) skipped although what they need is installed: a WebGPU adapter (SwiftShader: ${present}, Debian's libvulkan1 + chromium-common)`,
    );
    expect(lines.at(-1)).toBe('3 passed, 1 failed, 92 skipped');
  });

  it('lets tests skip, visibly, where their prerequisite is missing', () => {
    const lines = summarize(
      'skipped-missing',
      { 'packages/webgpu-native': { passed: 3, skipped: 92 }, 'packages/datasets': { passed: 0, skipped: 4 } },
      {
        RS_CI_SWIFTSHADER: absent,
        RS_CI_FASHION_MNIST: absent,
      },
    );
    expect(lines).toContain(
      `packages/datasets: every test skipped: missing Fashion-MNIST (${absent}, Debian's dataset-fashion-mnist) (install: bash tools/setup/system-deps.sh)`,
    );
    expect(lines.at(-1)).toBe('3 passed, 0 failed, 96 skipped');
  });

  it('fails a package with no declared prerequisite whose tests all skipped, and one without a report', () => {
    const lines = summarize('all-skipped', { 'packages/core': { passed: 0, skipped: 3 } }, {});
    mkdirSync(join(root, 'all-skipped', 'tools', 'bench'), { recursive: true });
    writeFileSync(join(root, 'all-skipped', 'tools', 'bench', 'vitest.config.ts'), '');
    const again = spawnSync(process.execPath, [SCRIPT, join(root, 'all-skipped')], { encoding: 'utf8' })
      .stdout.trim()
      .split('\n');
    expect(lines).toContain('packages/core: FAILED: every test skipped');
    expect(again).toContain('tools/bench: no test report (its tests did not run)');
    expect(again.at(-1)).toBe('0 passed, 2 failed, 3 skipped');
  });
});
