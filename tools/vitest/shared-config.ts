import { defineConfig } from 'vitest/config';

/** The vitest configuration every package uses (its vitest.config.ts re-exports it). */
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // A test stays under a minute on a loaded 2-core machine; the consumer test (npm installs of
    // the packed tarballs) sets its own limits per test. Hooks may build shared state (a certify
    // run all tests of a file compare against, a private redis-server), so they get longer.
    testTimeout: 60_000,
    hookTimeout: 300_000,
    // The JSON report is what .ci/run sums into its "N passed, N failed" line.
    reporters: ['default', ['json', { outputFile: '.vitest-report.json' }]],
  },
});
