import { relu, sigmoid, tanh, type Variable } from '@zerograd/core';
import { Layer } from './layer.js';

/** ReLU as a layer: `max(x, 0)`; backward passes the gradient where `x > 0` (the book's mask). */
export class ReLU extends Layer {
  readonly type = 'ReLU';
  protected call(x: Variable): Variable {
    return relu(x);
  }
}

/** Sigmoid as a layer; backward is the book's `dout · y(1 − y)`. */
export class Sigmoid extends Layer {
  readonly type = 'Sigmoid';
  protected call(x: Variable): Variable {
    return sigmoid(x);
  }
}

/** tanh as a layer; backward is `dout · (1 − y²)`. */
export class Tanh extends Layer {
  readonly type = 'Tanh';
  protected call(x: Variable): Variable {
    return tanh(x);
  }
}
