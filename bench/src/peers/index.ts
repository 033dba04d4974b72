/**
 * Peers: other libraries measured on the same rows as zerograd and its reference, shown as
 * extra columns. `@tensorflow/tfjs-core` 4.22 with its CPU and WASM backends (bench-only
 * devDependencies) is wired in twice:
 *
 * - on matmul rows (the backends suite): implement `MatmulPeer` in `peers/<name>.ts` (load the
 *   library in `setup`, build the operands once in `prepare`, return a closure that does
 *   exactly one product and waits for it, e.g. with `dataSync()`) and append it to
 *   `matmulPeers` or the suite's own list;
 * - on the conv suite's two conv2d rows (forward alone, forward+backward): implement `ConvPeer`
 *   (see `peers/tfjs-conv.ts`) and append it to `convPeers` in `suites/conv.ts`.
 *
 * The suite then samples each peer in the same turns as zerograd and its reference, and the
 * report gets a column named after it.
 */

/** A matrix product as the matmul suite describes it (operands stored as gemm reads them). */
export interface MatmulCase {
  id: string;
  m: number;
  n: number;
  k: number;
  transA: boolean;
  transB: boolean;
  dtype: 'float32' | 'float64';
}

export interface MatmulPeer {
  /** Column name, e.g. `tfjs-cpu`. */
  name: string;
  /** Loads the library; resolves to a reason string if the peer cannot run here. */
  setup(): Promise<true | string>;
  /** One product of `c`, operands prepared outside the timed call; null if unsupported (e.g. float64). */
  prepare(c: MatmulCase): Promise<(() => void) | null>;
  /** Frees whatever `prepare` made for `c`. */
  release?(c: MatmulCase): void;
  teardown?(): Promise<void>;
}

export const matmulPeers: MatmulPeer[] = [];

/**
 * The conv suite's problem, with its operands as zerograd holds them (NCHW input, OIHW
 * filters): conv2d forward with bias, stride 1, no padding, and for the forward+backward row
 * the gradients of x, W and b for the upstream gradient `gy` (N×F×OH×OW).
 */
export interface ConvCase {
  n: number;
  c: number;
  h: number;
  w: number;
  /** Number of filters. */
  f: number;
  /** Filter height and width. */
  k: number;
  x: Float32Array;
  weight: Float32Array;
  bias: Float32Array;
  gy: Float32Array;
}

/** What one call of a conv2d row does: the forward alone, or the forward and the three gradients. */
export type ConvWork = 'forward' | 'forward+backward';

/**
 * A peer's y, and for `'forward+backward'` dx, dW and db, in the peer's own layout (the suite
 * compares sums of squares, which do not depend on it).
 */
export interface ConvResults {
  y: Float32Array;
  dx?: Float32Array;
  dW?: Float32Array;
  db?: Float32Array;
}

export interface ConvPeer {
  /** Column name, e.g. `tfjs-wasm`. */
  name: string;
  /** Loads the library; resolves to a reason string if it cannot run here at all. */
  setup(): Promise<true | string>;
  /** What the peer runs on (layout, binary, threads), for the suite's notes; call after `setup`. */
  describe(): Promise<string>;
  /** Why the peer cannot do `work` (e.g. a kernel its backend lacks), or null when it can; call after `setup`. */
  cannot(work: ConvWork): Promise<string | null>;
  /**
   * Stores the operands in the library (in its own layout, outside the timed call) and returns
   * one call of `work`, which returns its results.
   */
  prepare(c: ConvCase, work: ConvWork): () => ConvResults;
  /** Frees what `prepare` stored. */
  release(): void;
}
