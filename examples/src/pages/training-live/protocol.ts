/** Messages between the training page and its worker (plain data; posted with `postMessage`). */

/** What the person chose before pressing Train. */
export interface TrainConfig {
  /** The book's chapter-5 net or the stronger one. */
  net: 'chapter5' | 'stronger';
  optimizer: 'sgd' | 'momentum' | 'adam';
  lr: number;
  epochs: number;
  batchSize: number;
  seed: number;
}

/** Page → worker. */
export type FromPage =
  | { type: 'data'; bytes: ArrayBuffer; trainCount: number; testCount: number; gridSize: number }
  | { type: 'train'; config: TrainConfig }
  | { type: 'pause' }
  | { type: 'resume' }
  | { type: 'reset' }
  | { type: 'predict'; pixels: ArrayBuffer };

/** Worker → page. */
export type FromWorker =
  | { type: 'ready' }
  | { type: 'loss'; losses: number[] }
  | {
      type: 'epoch';
      epoch: number;
      loss: number;
      ms: number;
      testAccuracy?: number;
      testLoss?: number;
      predictions: number[];
    }
  | { type: 'prediction'; probs: number[] | null }
  | { type: 'paused' }
  | { type: 'done' }
  | { type: 'error'; message: string };
