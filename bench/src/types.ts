/**
 * The harness's vocabulary. A *suite* measures one family of things (matmul, a training
 * step, a scalar graph, …) and returns *rows*; every row holds zerograd's figure and its
 * reference's (numpy, usually) measured in the same run, so the ratio between them means
 * something even on a machine whose speed drifts.
 */

/** One line of the results table. */
export interface Row {
  /** The suite that produced the row, e.g. `matmul`. */
  suite: string;
  /** Human-readable and unique within the suite, e.g. `float64 512×512·512×512`. */
  name: string;
  /** Unit of `zerograd`, `reference` and every peer figure, e.g. `GFLOP/s` or `ms/iter`. */
  unit: string;
  /** Whether bigger figures are better (throughput) or smaller ones are (time, memory). */
  better: 'higher' | 'lower';
  /** zerograd's figure (the median over samples). */
  zerograd: number;
  /** The reference's figure from the same run, or null when the reference could not run. */
  reference: number | null;
  /** What the reference is, e.g. `numpy`. */
  referenceName: string;
  /** Always `zerograd / reference` in the row's unit; read it with `better`. */
  ratio: number | null;
  /** Other implementations measured on the same row (tfjs backends later), same unit. */
  peers?: Record<string, number | null>;
  /** Interquartile range of the samples behind each figure, to show how noisy it was. */
  spread?: Record<string, [number, number]>;
  /** Anything that identifies the measurement (shape, dtype, transposes, …). */
  params?: Record<string, unknown>;
}

/** What a suite is handed when it runs. */
export interface SuiteContext {
  /** Fewer sizes and samples: a smoke run, not a measurement to quote. */
  quick: boolean;
  /** Only rows whose name matches should be measured (suites may skip the others early). */
  filter: RegExp | null;
  /** Progress to stderr, so stdout stays the table. */
  log(message: string): void;
  /** CPU seconds a child process spent (so the report can tell our load from others'). */
  addChildCpu(seconds: number): void;
  /** Facts about the run the report should carry (BLAS in use, environment changes, …). */
  note(key: string, value: unknown): void;
}

/** A registered benchmark family. */
export interface Suite {
  name: string;
  description: string;
  run(ctx: SuiteContext): Promise<Row[]>;
}

/** Builds a row, computing the ratio. */
export function makeRow(fields: Omit<Row, 'ratio'>): Row {
  const { zerograd, reference } = fields;
  const ratio = reference != null && reference > 0 && Number.isFinite(zerograd) ? zerograd / reference : null;
  return { ...fields, ratio };
}
