import { defineConfig } from 'vitest/config';

// `.ci/run` sets ZEROGRAD_TEST_JSON to a path to also get a machine-readable report.
const json = process.env.ZEROGRAD_TEST_JSON;

// Tests import sibling packages through their public entry point; the `source` export
// condition points that entry at `src/index.ts`, so no build step is needed to test.
export default defineConfig({
  resolve: { conditions: ['source'] },
  ssr: { resolve: { conditions: ['source'] } },
  test: {
    include: ['packages/*/test/**/*.test.ts', 'examples/test/**/*.test.ts', 'bench/test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    reporters: json ? ['default', ['json', { outputFile: json }]] : ['default'],
  },
});
