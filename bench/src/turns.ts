import { median, quantile } from './timing.js';

/**
 * Sides of a comparison taking turns, as the matmul suite does: each side takes a few samples,
 * then the next, block after block, with a pause before every turn so the previous side's
 * threads (OpenBLAS spins ~0.1 s after a call) and V8's background work have settled.
 */

export interface Side {
  name: string;
  /** Takes one sample; resolves to seconds per call. */
  sample(): Promise<number>;
  seconds: number[];
  /** Samples per turn for a side whose one call lasts seconds (default: the options' `samplesPerBlock`). */
  samplesPerTurn?: number;
}

export interface TurnOptions {
  blocks: number;
  samplesPerBlock: number;
  settleMs: number;
}

const settle = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function takeTurns(sides: Side[], opts: TurnOptions): Promise<void> {
  for (let block = 0; block < opts.blocks; block++)
    for (const side of sides) {
      await settle(opts.settleMs);
      for (let r = 0; r < (side.samplesPerTurn ?? opts.samplesPerBlock); r++) side.seconds.push(await side.sample());
    }
}

/** Median of a side's samples, scaled (e.g. 1e3 for milliseconds), and its interquartile range. */
export function summarise(side: Side, scale: number): { value: number; spread: [number, number] } {
  return {
    value: median(side.seconds) * scale,
    spread: [quantile(side.seconds, 0.25) * scale, quantile(side.seconds, 0.75) * scale],
  };
}
