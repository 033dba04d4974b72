import { defineConfig } from 'vitest/config';

// `.ci/run` sets ZEROGRAD_TEST_JSON to a path to also get a machine-readable report.
const json = process.env.ZEROGRAD_TEST_JSON;

/**
 * Tests whose numbers come from the kernels: the kernel and property tests and the training
 * figures. They run again under each non-default backend (the `default` project runs every
 * test on the backend feature detection picks, the relaxed-SIMD WebAssembly one in Node), so
 * every backend passes the same tests. backend.test.ts checks every binary variant itself.
 */
const PER_BACKEND = [
  'packages/core/test/*.prop.test.ts',
  'packages/core/test/matmul-kernel.test.ts',
  'packages/core/test/optim-kernel.test.ts',
  'packages/layers/test/*.prop.test.ts',
  'packages/layers/test/optim.test.ts',
  'examples/test/mnist-backends.test.ts',
];

// Tests import sibling packages through their public entry point; the `source` export
// condition points that entry at `src/index.ts`, so no build step is needed to test.
export default defineConfig({
  resolve: { conditions: ['source'] },
  ssr: { resolve: { conditions: ['source'] } },
  test: {
    testTimeout: 60_000,
    hookTimeout: 180_000,
    pool: 'forks',
    reporters: json ? ['default', ['json', { outputFile: json }]] : ['default'],
    projects: [
      {
        extends: true,
        test: {
          name: 'default',
          include: ['packages/*/test/**/*.test.ts', 'examples/test/**/*.test.ts', 'bench/test/**/*.test.ts'],
          exclude: ['examples/test/mnist-backends.test.ts', '**/node_modules/**'],
        },
      },
      ...(['ts', 'wasm-simd'] as const).map((backend) => ({
        extends: true as const,
        test: { name: `backend ${backend}`, include: PER_BACKEND, env: { ZEROGRAD_BACKEND: backend } },
      })),
    ],
  },
});
