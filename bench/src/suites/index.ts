import type { Suite } from '../types.js';
import { backendsSuite } from './backends.js';
import { matmulSuite } from './matmul.js';
import { memorySuite } from './memory.js';
import { scalarSuite } from './scalar.js';
import { trainingSuite } from './training.js';

/**
 * Every benchmark suite `pnpm bench` knows, in the order they run. To add one, write
 * `suites/<name>.ts` exporting a `Suite` whose rows each carry zerograd's figure and its
 * reference's from the same run (see `types.ts`), and list it here. Planned (issue 5):
 * training-iteration time vs numpy, a scalar micrograd-style graph, peak RSS over epochs.
 */
export const suites: Suite[] = [matmulSuite];

// Issue 5's training-iteration, scalar-graph and memory rows.
suites.push(trainingSuite, scalarSuite, memorySuite);

// Issue 5: matmul per zerograd backend (TS, WASM SIMD ×1/×2, relaxed) vs numpy and tfjs.
suites.push(backendsSuite);
