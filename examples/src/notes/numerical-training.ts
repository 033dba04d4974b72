/**
 * The notes' "implementing a neural network" section: a (4, 2, 3, 5) network with sigmoid
 * hidden layers and a softmax output, trained on one input and one target by numerical
 * gradients (500 steps, lr 0.01, as the notes do) — and the same gradients by backprop.
 */
import { add, matmul, numericalGradient, Random, sigmoid, type Tensor, type Variable, variable } from '@zerograd/core';
import { crossEntropyError, softmax } from '@zerograd/layers';

export interface Network {
  w: Tensor[];
  b: Tensor[];
}

/** The notes' `init_network(shape)`: uniform [0, 1) weights and biases between each pair of sizes. */
export function initNetwork(shape: readonly number[], seed = 0): Network {
  const r = new Random(seed);
  const net: Network = { w: [], b: [] };
  for (let i = 1; i < shape.length; i++) {
    net.w.push(r.rand([shape[i - 1], shape[i]]));
    net.b.push(r.rand([shape[i]]));
  }
  return net;
}

/** The notes' `loss`: sigmoid layers, softmax output, cross-entropy against `t`. */
export function loss(x: Tensor | Variable, w: (Tensor | Variable)[], b: (Tensor | Variable)[], t: number[]): Variable {
  let h: Tensor | Variable = x;
  for (let i = 0; i < w.length - 1; i++) h = sigmoid(add(matmul(h, w[i]), b[i]));
  const y = softmax(add(matmul(h, w[w.length - 1]), b[b.length - 1]));
  return crossEntropyError(y, t);
}

/** Trains in place by numerical gradients; returns the loss after every step. */
export function trainNumerically(x: Tensor, net: Network, t: number[], steps = 500, lr = 0.01): number[] {
  const history: number[] = [];
  const f = () => loss(x, net.w, net.b, t);
  for (let s = 0; s < steps; s++) {
    const grads = [...net.w, ...net.b].map((p) => numericalGradient(f, p));
    [...net.w, ...net.b].forEach((p, i) => {
      const g = grads[i].data;
      for (let k = 0; k < p.size; k++) p.data[k] -= lr * g[k];
    });
    history.push(f().item());
  }
  return history;
}

/** Numerical and backprop gradients of the loss for every parameter, flattened, to compare. */
export function compareGradients(x: Tensor, net: Network, t: number[]): { numerical: number[]; backprop: number[] } {
  const params = [...net.w, ...net.b];
  const numerical = params.flatMap((p) => Array.from(numericalGradient(() => loss(x, net.w, net.b, t), p).data));
  const vars = params.map((p) => variable(p));
  const nw = vars.slice(0, net.w.length);
  const nb = vars.slice(net.w.length);
  loss(x, nw, nb, t).backward();
  const backprop = vars.flatMap((v) => Array.from(v.grad?.data.data ?? []));
  return { numerical, backprop };
}

export function main(log: (line: string) => void = console.log): number[] {
  const r = new Random(1);
  const x = r.rand([4]);
  const net = initNetwork([4, 2, 3, 5], 2);
  const t = [0, 0, 0, 1, 0];
  const cmp = compareGradients(x, net, t);
  const worst = Math.max(...cmp.numerical.map((v, i) => Math.abs(v - cmp.backprop[i])));
  log(
    `(4, 2, 3, 5) net: ${cmp.numerical.length} parameters, numerical vs backprop gradients differ by at most ${worst.toExponential(2)}`,
  );
  const history = trainNumerically(x, net, t);
  log(
    `training by numerical gradients, 500 steps: loss ${history[0].toFixed(4)} → ${history[history.length - 1].toFixed(4)}`,
  );
  return history;
}
