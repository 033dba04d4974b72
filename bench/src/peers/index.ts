/**
 * Peers: other libraries measured on the same rows as zerograd and its reference, shown as
 * extra columns. None are wired in yet — `@tensorflow/tfjs-core` with its CPU and WASM
 * backends is the plan (issue 5), as bench-only devDependencies. To add one:
 *
 *   1. implement `MatmulPeer` in `peers/<name>.ts` (load the library in `setup`, build the
 *      operands once in `prepare`, return a closure that does exactly one product and waits
 *      for it, e.g. with `dataSync()`), and
 *   2. append it to `matmulPeers` below.
 *
 * The matmul suite then samples it in the same rounds as zerograd and numpy, and the report
 * gets a column named after it. Suites for other benchmarks can define their own peer
 * interfaces next to this one.
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
