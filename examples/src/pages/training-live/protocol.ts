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
  /** `run` numbers the Train presses; the worker tags that run's messages with it. */
  | { type: 'train'; config: TrainConfig; run: number }
  | { type: 'pause' }
  | { type: 'resume' }
  | { type: 'reset' }
  | { type: 'predict'; pixels: ArrayBuffer };

/** Worker → page. */
export type FromWorker =
  | { type: 'ready' }
  | { type: 'loss'; run: number; losses: number[] }
  | {
      type: 'epoch';
      run: number;
      epoch: number;
      loss: number;
      ms: number;
      testAccuracy?: number;
      testLoss?: number;
      predictions: number[];
    }
  | { type: 'prediction'; probs: number[] | null }
  | { type: 'paused' }
  | { type: 'done'; run: number }
  | { type: 'error'; message: string };
