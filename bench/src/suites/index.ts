import type { Suite } from '../types.js';
import { backendsSuite } from './backends.js';
import { convSuite } from './conv.js';
import { matmulSuite } from './matmul.js';
import { memorySuite } from './memory.js';
import { scalarSuite } from './scalar.js';
import { trainingSuite } from './training.js';

/**
 * Every benchmark suite `pnpm bench` knows, in the order they run. To add one, write
 * `suites/<name>.ts` exporting a `Suite` whose rows each carry zerograd's figure and its
 * reference's from the same run (see `types.ts`), and list it here.
 *
 * The scalar suite runs first: it times ~100,000 small objects per pass, and V8's collector
 * does that slower in a heap the other suites have grown (measured 0.87 µs/node first vs
 * 1.28 after the training suite, in the same process). The memory suite measures in fresh
 * processes of its own, so its place does not matter.
 */
export const suites: Suite[] = [scalarSuite, matmulSuite, trainingSuite, convSuite, memorySuite, backendsSuite];
