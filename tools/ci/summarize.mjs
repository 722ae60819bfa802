// Sums the vitest JSON reports of every workspace package into the line CI reads:
// "N passed, N failed, N skipped". A package whose tests did not run (no report) counts as failed.
// So does a package with skipped tests on a machine where what those tests need is installed
// (PREREQUISITES below; tools/setup/system-deps.sh installs it): tests that skip there hide a
// broken setup (e.g. a WebGPU adapter that SwiftShader should have given). A package whose tests
// were all skipped fails too, unless what it needs is missing (then it is reported, visibly).
// Usage: node tools/ci/summarize.mjs [ROOT] (default: this repository). RS_CI_FASHION_MNIST and
// RS_CI_SWIFTSHADER override the files that tell whether a prerequisite is installed (tests).
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const FASHION_MNIST = process.env.RS_CI_FASHION_MNIST ?? '/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz';
const SWIFTSHADER = process.env.RS_CI_SWIFTSHADER ?? '/usr/lib/chromium/vk_swiftshader_icd.json';
const fashionMnist = { what: `Fashion-MNIST (${FASHION_MNIST}, Debian's dataset-fashion-mnist)`, present: () => existsSync(FASHION_MNIST) };
const webgpuAdapter = { what: `a WebGPU adapter (SwiftShader: ${SWIFTSHADER}, Debian's libvulkan1 + chromium-common)`, present: () => existsSync(SWIFTSHADER) };
/** What the skippable tests of each package need, and how to tell it is installed. */
const PREREQUISITES = {
  'packages/datasets': [fashionMnist],
  'packages/onnx': [fashionMnist],
  'packages/tfjs': [fashionMnist],
  'packages/cli': [webgpuAdapter],
  'packages/webgpu-native': [webgpuAdapter],
  'tools/consumer': [webgpuAdapter],
};

const root = process.argv[2] ?? new URL('../..', import.meta.url).pathname;
let passed = 0;
let failed = 0;
let skipped = 0;
for (const group of ['packages', 'tools']) {
  for (const name of readdirSync(join(root, group))) {
    const dir = join(root, group, name);
    const id = `${group}/${name}`;
    if (!existsSync(join(dir, 'vitest.config.ts'))) continue;
    const report = join(dir, '.vitest-report.json');
    if (!existsSync(report)) {
      console.log(`${id}: no test report (its tests did not run)`);
      failed++;
      continue;
    }
    const r = JSON.parse(readFileSync(report, 'utf8'));
    const skippedHere = r.numPendingTests + r.numTodoTests;
    console.log(`${id}: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${skippedHere} skipped`);
    passed += r.numPassedTests;
    failed += r.numFailedTests + (r.success ? 0 : r.numFailedTests === 0 ? 1 : 0);
    skipped += skippedHere;
    if (skippedHere === 0) continue;
    const needs = PREREQUISITES[id] ?? [];
    const installed = needs.filter((p) => p.present());
    if (needs.length > 0 && installed.length === needs.length) {
      console.log(`${id}: FAILED: ${skippedHere} test(s) skipped although what they need is installed: ${installed.map((p) => p.what).join('; ')}`);
      failed++;
    } else if (r.numPassedTests === 0 && r.numFailedTests === 0) {
      const missing = needs.filter((p) => !p.present()).map((p) => p.what);
      if (missing.length > 0) console.log(`${id}: every test skipped: missing ${missing.join('; ')} (install: bash tools/setup/system-deps.sh)`);
      else {
        console.log(`${id}: FAILED: every test skipped`);
        failed++;
      }
    }
  }
}
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
