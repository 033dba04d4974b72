/**
 * The notes' chapter on backpropagation (誤差逆伝搬法), as graphs: the apple example, the
 * apples-and-oranges variant, the sigmoid decomposed into its nodes (×−1, exp, +1, 1/x) beside
 * the fused Sigmoid node, and an Affine layer's graph with its shapes.
 */
import { add, div, exp, matmul, mul, neg, scope, sigmoid, type Variable, variable } from '@zerograd/core';

/** 100 yen × 2 apples × tax 1.1 — the book's first computational graph. */
export function apple(): { price: Variable; apple: Variable; count: Variable; tax: Variable } {
  const a = variable(100, { name: 'apple' });
  const count = variable(2, { name: 'apple_num' });
  const tax = variable(1.1, { name: 'tax' });
  const price = mul(mul(a, count), tax);
  price.name = 'price';
  return { price, apple: a, count, tax };
}

/** 2 apples at 100 yen and 3 oranges at 150 yen, plus 10% tax. */
export function applesAndOranges() {
  const apple = variable(100, { name: 'apple' });
  const appleNum = variable(2, { name: 'apple_num' });
  const orange = variable(150, { name: 'orange' });
  const orangeNum = variable(3, { name: 'orange_num' });
  const tax = variable(1.1, { name: 'tax' });
  const price = mul(add(mul(apple, appleNum), mul(orange, orangeNum)), tax);
  price.name = 'price';
  return { price, apple, appleNum, orange, orangeNum, tax };
}

/** y = 1 / (1 + exp(−x)) built from the book's four nodes. */
export function sigmoidDecomposed(x0 = 0.5): { y: Variable; x: Variable } {
  const x = variable(x0, { name: 'x' });
  const y = div(1, add(exp(neg(x)), 1));
  y.name = 'y';
  return { y, x };
}

/** The same function as one fused Sigmoid node, whose backward is y(1 − y). */
export function sigmoidFused(x0 = 0.5): { y: Variable; x: Variable } {
  const x = variable(x0, { name: 'x' });
  const y = sigmoid(x);
  y.name = 'y';
  return { y, x };
}

/** Y = X·W + B for a batch of 2 inputs with 3 features and 2 outputs, inside an Affine scope. */
export function affine(): { y: Variable; X: Variable; W: Variable; B: Variable } {
  const X = variable(
    [
      [1, 2, 3],
      [4, 5, 6],
    ],
    { name: 'X', requiresGrad: false },
  );
  const W = variable(
    [
      [0.1, 0.2],
      [0.3, 0.4],
      [0.5, 0.6],
    ],
    { name: 'W' },
  );
  W.isParameter = true;
  const B = variable([0.1, -0.1], { name: 'B' });
  B.isParameter = true;
  const y = scope('Affine', () => add(matmul(X, W), B));
  y.name = 'Y';
  return { y, X, W, B };
}

export function main(log: (line: string) => void = console.log): void {
  const a = apple();
  a.price.backward();
  log(
    `apple: price ${a.price.item().toFixed(1)}; ∂price/∂apple ${a.apple.grad?.item().toFixed(1)}, ∂/∂apple_num ${a.count.grad?.item().toFixed(1)}, ∂/∂tax ${a.tax.grad?.item().toFixed(1)}`,
  );
  const o = applesAndOranges();
  o.price.backward();
  log(
    `apples & oranges: price ${o.price.item().toFixed(1)}; ∂/∂apple ${o.apple.grad?.item().toFixed(1)}, ∂/∂orange ${o.orange.grad?.item().toFixed(1)}, ∂/∂tax ${o.tax.grad?.item().toFixed(1)}`,
  );
  const d = sigmoidDecomposed();
  d.y.backward();
  const f = sigmoidFused();
  f.y.backward();
  log(`sigmoid at 0.5: decomposed dy/dx ${d.x.grad?.item()}, fused ${f.x.grad?.item()}`);
}
