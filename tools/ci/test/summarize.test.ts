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

type Report = { passed: number; failed?: number; skipped?: string[] };

/** A fake repository whose packages left these vitest reports; returns summarize's output lines. */
function summarize(name: string, reports: Record<string, Report>, env: Record<string, string> = {}): string[] {
  const dir = join(root, name);
  mkdirSync(join(dir, 'tools'), { recursive: true });
  for (const [pkg, r] of Object.entries(reports)) {
    const p = join(dir, pkg);
    mkdirSync(p, { recursive: true });
    writeFileSync(join(p, 'vitest.config.ts'), '');
    const failed = r.failed ?? 0;
    const skipped = r.skipped ?? [];
    const assertionResults = [
      ...Array.from({ length: r.passed }, (_, i) => ({ fullName: `passes ${i}`, status: 'passed' })),
      ...skipped.map((fullName) => ({ fullName, status: 'skipped' })),
    ];
    const report = {
      numPassedTests: r.passed,
      numFailedTests: failed,
      numPendingTests: skipped.length,
      numTodoTests: 0,
      success: failed === 0,
      testResults: [{ assertionResults }],
    };
    writeFileSync(join(p, '.vitest-report.json'), JSON.stringify(report));
  }
  const out = spawnSync(process.execPath, [SCRIPT, dir], { encoding: 'utf8', env: { ...process.env, ...env } });
  return out.stdout.trim().split('\n');
}

const noAdapter = (i: number) => `WGSL ops vs onnxruntime-node (skipped: no WebGPU: no WebGPU adapter from the installed Vulkan drivers) op ${i}`;
const webgpuSkips = Array.from({ length: 92 }, (_, i) => noAdapter(i));
const fmnistSkips = Array.from({ length: 4 }, (_, i) => `Fashion-MNIST from Debian (needs dataset-fashion-mnist; skipped when absent) ${i}`);
const ADAPTER = (path: string) => `a WebGPU adapter (SwiftShader: ${path}, Debian's libvulkan1 + chromium-common)`;

describe('the CI summary line', () => {
  it('sums the reports', () => {
    const lines = summarize('plain', { 'packages/core': { passed: 5 }, 'packages/onnx-graph': { passed: 2, failed: 1 } });
    expect(lines.at(-1)).toBe('7 passed, 1 failed, 0 skipped');
  });

  it('fails a package whose tests skipped for want of something installed here (WebGPU: 3 passed, 92 skipped)', () => {
    const lines = summarize('skipped-installed', { 'packages/webgpu-native': { passed: 3, skipped: webgpuSkips } }, { RS_CI_SWIFTSHADER: present });
    expect(lines).toContain(
      `packages/webgpu-native: FAILED: 92 test(s) skipped although what they need is installed (${ADAPTER(present)}), e.g. "${noAdapter(0)}"`,
    );
    expect(lines.at(-1)).toBe('3 passed, 1 failed, 92 skipped');
  });

  it('lets other skips be (a capability an adapter does not declare)', () => {
    const skipped = ['adapter conformance: tfjs (wasm) training steps lower the loss (when training is declared)'];
    const lines = summarize('skipped-other', { 'packages/tfjs': { passed: 35, skipped } }, { RS_CI_SWIFTSHADER: present, RS_CI_FASHION_MNIST: present });
    expect(lines.at(-1)).toBe('35 passed, 0 failed, 1 skipped');
  });

  it('lets tests skip, visibly, where their prerequisite is missing', () => {
    const reports = { 'packages/webgpu-native': { passed: 3, skipped: webgpuSkips }, 'packages/datasets': { passed: 0, skipped: fmnistSkips } };
    const lines = summarize('skipped-missing', reports, { RS_CI_SWIFTSHADER: absent, RS_CI_FASHION_MNIST: absent });
    expect(lines).toContain(
      `packages/datasets: every test skipped: missing Fashion-MNIST (${absent}, Debian's dataset-fashion-mnist) (install: bash tools/setup/system-deps.sh)`,
    );
    expect(lines.at(-1)).toBe('3 passed, 0 failed, 96 skipped');
  });

  it('fails a package whose tests all skipped for no named prerequisite, and one without a report', () => {
    const lines = summarize('all-skipped', { 'packages/core': { passed: 0, skipped: ['a', 'b', 'c'] } });
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
