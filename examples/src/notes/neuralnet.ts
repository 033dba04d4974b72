/**
 * The notes' first half, runnable: the warm-up plot (sin & cos), the perceptron and its logic
 * gates, activation functions side by side, the multi-layer forward pass, softmax, and the two
 * losses of a prediction sliding from wrong to right.
 *
 * Where the notes draw with `np.random.rand`, this uses a seeded `Random`, so every run (and
 * every page drawn from it) is the same.
 */
import {
  add,
  arange,
  cos,
  fromArray,
  getItem,
  matmul,
  Random,
  relu,
  sigmoid,
  sin,
  type Tensor,
  type Variable,
} from '@zerograd/core';
import { crossEntropyError, meanSquaredError, softmax, step } from '@zerograd/layers';

const rows = (v: Variable): number[][] => v.toArray() as number[][];

/** x = 0, 0.1, …, 5.9 with sin and cos, the notes' warm-up plot. */
export function sinCos(): { x: number[]; sin: number[]; cos: number[] } {
  const x = arange(0, 6, 0.1);
  return { x: Array.from(x.data), sin: sin(x).toArray() as number[], cos: cos(x).toArray() as number[] };
}

/** A two-input perceptron with hand-set weights: 1 when w·x + b ≥ 0, else 0. */
export function perceptron(w: [number, number], b: number) {
  return (x1: number, x2: number): number => step(add(matmul([x1, x2], w), b)).item();
}

/** The book's weights for the three basic gates. */
export const AND = perceptron([0.5, 0.5], -0.7);
export const NAND = perceptron([-0.5, -0.5], 0.7);
export const OR = perceptron([0.5, 0.5], -0.2);
/** XOR is not linearly separable: two layers of perceptrons, AND(NAND, OR). */
export const XOR = (x1: number, x2: number): number => AND(NAND(x1, x2), OR(x1, x2));

/** Truth table of a gate over the four inputs (0,0), (1,0), (0,1), (1,1). */
export function truthTable(gate: (a: number, b: number) => number): number[] {
  return [
    [0, 0],
    [1, 0],
    [0, 1],
    [1, 1],
  ].map(([a, b]) => gate(a, b));
}

/**
 * The notes' perceptron and activation plots: 200 rows of 10 inputs (x = 0…1.999 in steps of
 * 0.001), random weights, bias −4; each row's total w·x + b through step, sigmoid and ReLU.
 */
export function activationCurves(seed = 0): { step: number[]; sigmoid: number[]; relu: number[]; total: number[] } {
  const r = new Random(seed);
  const x = arange(0, 2, 0.001).reshapeView([200, 10]);
  const w = r.rand([10]);
  const total = add(matmul(x, w), -4);
  return {
    total: total.toArray() as number[],
    step: step(total).toArray() as number[],
    sigmoid: sigmoid(total).toArray() as number[],
    relu: relu(total).toArray() as number[],
  };
}

/**
 * The notes' 4-layer network: 200 inputs of 10×10, weights rand(10), rand(10), rand(1),
 * biases −4, −7, −7, sigmoid at every layer — one output per input.
 */
export function multiLayerForward(seed = 0): number[] {
  const r = new Random(seed);
  const x = arange(0, 2, 0.0001).reshapeView([200, 10, 10]);
  const w = [r.rand([10]), r.rand([10]), r.rand([1])];
  const h1 = sigmoid(add(matmul(x, w[0]), -4)); // (200, 10)
  const h2 = sigmoid(add(matmul(h1, w[1]), -7)); // (200,)
  const y = sigmoid(add(matmul(h2.reshape([200, 1]), w[2]), -7)); // (200,)
  return y.toArray() as number[];
}

/**
 * The notes' softmax network: weights rand(10), rand(10, 4), rand(4, 5), biases −4, −7, −1,
 * sigmoid hidden layers and a softmax output — five probabilities per input, summing to 1.
 */
export function softmaxForward(seed = 0): number[][] {
  const r = new Random(seed);
  const x = arange(0, 2, 0.0001).reshapeView([200, 10, 10]);
  const w: Tensor[] = [r.rand([10]), r.rand([10, 4]), r.rand([4, 5])];
  const h1 = sigmoid(add(matmul(x, w[0]), -4)); // (200, 10)
  const h2 = sigmoid(add(matmul(h1, w[1]), -7)); // (200, 4)
  return rows(softmax(add(matmul(h2, w[2]), -1))); // (200, 5)
}

/**
 * The notes' loss comparison: the prediction for the true class (index 4) slides from 0 to 1
 * while class 3's slides from 1 to 0, over 200 steps; MSE and cross-entropy for each.
 */
export function lossComparison(): { p: number[]; mse: number[]; crossEntropy: number[] } {
  const n = 200;
  const y: number[][] = [];
  for (let i = 0; i < n; i++) y.push([0, 0, 0, 1 - i * 0.005, i * 0.005]);
  const t = fromArray(Array.from({ length: n }, () => [0, 0, 0, 0, 1]));
  return {
    p: y.map((r) => r[4]),
    mse: meanSquaredError(y, t, { reduction: 'none' }).toArray() as number[],
    crossEntropy: crossEntropyError(y, t, { reduction: 'none' }).toArray() as number[],
  };
}

/** Picks one column per row: the probability each row gives to its label. */
export function probabilityOf(probs: number[][], labels: number[]): number[] {
  return getItem(fromArray(probs), arange(probs.length), labels).toArray() as number[];
}

export function main(log: (line: string) => void = console.log): void {
  log(`AND ${truthTable(AND)}  NAND ${truthTable(NAND)}  OR ${truthTable(OR)}  XOR ${truthTable(XOR)}`);
  const a = activationCurves();
  const firstOn = a.step.indexOf(1);
  log(`perceptron: step switches on at row ${firstOn} of 200; sigmoid there ${a.sigmoid[firstOn].toFixed(3)}`);
  const m = multiLayerForward();
  log(`4-layer sigmoid net: outputs from ${m[0].toFixed(4)} to ${m[m.length - 1].toFixed(4)}`);
  const s = softmaxForward();
  const sums = s.map((r) => r.reduce((p, q) => p + q, 0));
  log(
    `softmax net: 200×5 probabilities, row sums within ${Math.max(...sums.map((v) => Math.abs(v - 1))).toExponential(1)} of 1`,
  );
  const l = lossComparison();
  log(
    `losses at p = 0.005, 0.5, 0.995: MSE ${[1, 100, 199].map((i) => l.mse[i].toFixed(3))}, cross-entropy ${[1, 100, 199].map((i) => l.crossEntropy[i].toFixed(3))}`,
  );
}
