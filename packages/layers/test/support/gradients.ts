// Gradient checks for layers: the input through core's gradcheck, the parameters by the
// book's own method (nudge each parameter element, difference the loss) against backward.
import {
  gradcheck,
  mul,
  noGrad,
  numericalGradient,
  type Random,
  sum,
  type Tensor,
  type Variable,
  variable,
} from '@zerograd/core';
import type { AnyLayer } from '../../src/index.js';

export interface LayerGradReport {
  ok: boolean;
  message: string;
}

/** Compares backward's gradients of every parameter of `layer` with central differences. */
export function checkParameterGradients(
  layer: AnyLayer,
  x: Tensor,
  random: Random,
  run: (x: Variable) => Variable = (v) => layer.forward(v),
  tol = { atol: 1e-5, rtol: 1e-3 },
): LayerGradReport {
  const y0 = noGrad(() => run(variable(x, { requiresGrad: false })));
  // A random upstream gradient: all ones would hide a backward that ignores it.
  const u = random.randn(y0.shape);
  const objective = () => sum(mul(run(variable(x, { requiresGrad: false })), u));
  layer.zeroGrad();
  objective().backward();
  for (const [name, p] of layer.namedParameters()) {
    const analytic = p.grad?.data.data ?? new Float64Array(p.size);
    const numeric = numericalGradient(() => objective(), p.data, 1e-6).data;
    for (let i = 0; i < p.size; i++) {
      const err = Math.abs(analytic[i] - numeric[i]);
      if (!(err <= tol.atol + tol.rtol * Math.abs(numeric[i]))) {
        return { ok: false, message: `${name}[${i}]: analytic ${analytic[i]} vs numerical ${numeric[i]}` };
      }
    }
  }
  layer.zeroGrad();
  return { ok: true, message: 'ok' };
}

/** gradcheck of the layer's output with respect to its input. */
export function checkInputGradient(run: (x: Variable) => Variable, x: Tensor, seed = 0) {
  return gradcheck((v) => run(v), [x], { seed });
}
