import { Random, type Variable, variable } from '@zerograd/core';

const r = new Random(0);
const sizes = [10, 30, 30, 1];
const params: Variable[][][] = [];
for (let l = 1; l < sizes.length; l++)
  params.push(
    Array.from({ length: sizes[l] }, () => Array.from({ length: sizes[l - 1] + 1 }, () => variable(r.next() - 0.5))),
  );
const xs = Array.from({ length: 10 }, () => variable(r.next(), { requiresGrad: false }));
function forward() {
  let h: Variable[] = xs;
  let nodes = 0;
  params.forEach((layer, li) => {
    h = layer.map((w) => {
      let s = w[w.length - 1];
      for (let i = 0; i < h.length; i++) {
        s = s.add(h[i].mul(w[i]));
        nodes += 2;
      }
      if (li < params.length - 1) {
        s = s.tanh();
        nodes++;
      }
      return s;
    });
  });
  return { y: h[0], nodes };
}
for (let rep = 0; rep < 8; rep++) {
  const t0 = performance.now();
  let total = 0;
  const ys = [];
  for (let k = 0; k < 50; k++) {
    const { y, nodes } = forward();
    ys.push(y);
    total += nodes;
  }
  const t1 = performance.now();
  for (const y of ys) y.backward();
  const t2 = performance.now();
  console.log(
    `forward ${(((t1 - t0) * 1000) / total).toFixed(3)} us/node, backward ${(((t2 - t1) * 1000) / total).toFixed(3)} us/node, total ${(((t2 - t0) * 1000) / total).toFixed(3)}, nodes ${total}`,
  );
}
