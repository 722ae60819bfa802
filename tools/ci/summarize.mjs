// Sums the vitest JSON reports of every workspace package into the line CI reads:
// "N passed, N failed, N skipped". A package whose tests did not run (no report) counts as failed.
// So does a test skipped for want of something that is installed on this machine (PREREQUISITES:
// its name says what it needs, as the project's skip reasons do, e.g. "(skipped: no WebGPU
// adapter ...)"; tools/setup/system-deps.sh installs it): such a skip hides a broken setup, e.g. a
// WebGPU adapter that SwiftShader should have given. A package whose tests were all skipped fails
// too, unless each skip names a prerequisite that is missing here (then it is reported, visibly).
// Usage: node tools/ci/summarize.mjs [ROOT] (default: this repository). RS_CI_FASHION_MNIST and
// RS_CI_SWIFTSHADER override the files that tell whether a prerequisite is installed (tests).
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';

const FASHION_MNIST = process.env.RS_CI_FASHION_MNIST ?? '/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz';
const SWIFTSHADER = process.env.RS_CI_SWIFTSHADER ?? '/usr/lib/chromium/vk_swiftshader_icd.json';
/** What skippable tests need, how their names say so, and how to tell it is installed. */
const PREREQUISITES = [
  {
    what: `Fashion-MNIST (${FASHION_MNIST}, Debian's dataset-fashion-mnist)`,
    names: /Fashion-MNIST|dataset-fashion-mnist/i,
    present: () => existsSync(FASHION_MNIST),
  },
  {
    what: `a WebGPU adapter (SwiftShader: ${SWIFTSHADER}, Debian's libvulkan1 + chromium-common)`,
    names: /WebGPU adapter|no WebGPU|Vulkan driver|SwiftShader|libvulkan1/i,
    present: () => existsSync(SWIFTSHADER),
  },
];

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
    // A file that failed outside its tests (a beforeAll, an import): its tests read as skipped.
    for (const f of r.testResults ?? [])
      if (f.status === 'failed' && !(f.assertionResults ?? []).some((a) => a.status === 'failed'))
        console.log(`${id}: FAILED: ${relative(dir, f.name)}: ${String(f.message ?? '').split('\n')[0]}`);
    skipped += skippedHere;
    if (skippedHere === 0) continue;
    const skips = (r.testResults ?? []).flatMap((f) => f.assertionResults ?? []).filter((a) => a.status !== 'passed' && a.status !== 'failed');
    const needs = skips.map((a) => ({ test: a.fullName ?? a.title, prerequisite: PREREQUISITES.find((p) => p.names.test(a.fullName ?? a.title)) }));
    const hidden = needs.filter((n) => n.prerequisite?.present());
    if (hidden.length > 0) {
      const what = [...new Set(hidden.map((n) => n.prerequisite.what))].join('; ');
      console.log(`${id}: FAILED: ${hidden.length} test(s) skipped although what they need is installed (${what}), e.g. "${hidden[0].test}"`);
      failed++;
    } else if (r.numPassedTests === 0 && r.numFailedTests === 0) {
      const missing = [...new Set(needs.filter((n) => n.prerequisite).map((n) => n.prerequisite.what))];
      if (missing.length > 0 && needs.every((n) => n.prerequisite))
        console.log(`${id}: every test skipped: missing ${missing.join('; ')} (install: bash tools/setup/system-deps.sh)`);
      else {
        console.log(`${id}: FAILED: every test skipped`);
        failed++;
      }
    }
  }
}
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
