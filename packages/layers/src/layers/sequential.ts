import { ValueError, type Variable } from '@zerograd/core';
import { type AnyLayer, Layer } from './layer.js';

/**
 * Layers applied one after the other, the book's `OrderedDict` of layers. Given an array, the
 * layers are named after their type and position among layers of that type — `affine1`,
 * `relu1`, `affine2` — so parameters read `affine1.W`; given an object, its keys are the names.
 *
 * @example
 * const net = new Sequential([new Affine(784, 50), new ReLU(), new Affine(50, 10)]);
 * net.namedParameters().map(([n]) => n); // ['affine1.W', 'affine1.b', 'affine2.W', 'affine2.b']
 */
export class Sequential extends Layer {
  readonly type = 'Sequential';
  private readonly items: AnyLayer[] = [];
  private readonly counts = new Map<string, number>();

  constructor(layers: readonly Layer[] | Readonly<Record<string, Layer>> = []) {
    super();
    if (Array.isArray(layers)) for (const l of layers) this.add(l);
    else if (layers && typeof layers === 'object') for (const [n, l] of Object.entries(layers)) this.add(l, n);
    else throw new ValueError('Sequential', 'expected an array of layers or an object of named layers');
  }

  /** Appends a layer, named `name` or automatically (`relu2`). Returns this, for chaining. */
  add(layer: Layer, name?: string): this {
    if (!(layer instanceof Layer)) throw new ValueError('Sequential', `expected a Layer, got ${String(layer)}`);
    let key = name;
    if (key === undefined) {
      const stem = layer.type.toLowerCase();
      let k = this.counts.get(stem) ?? 0;
      do key = `${stem}${++k}`;
      while (this.namedChildren().some(([n]) => n === key));
      this.counts.set(stem, k);
    }
    this.registerChild(key, layer);
    this.items.push(layer);
    return this;
  }

  /** The layers in order. */
  get layerList(): readonly AnyLayer[] {
    return this.items;
  }

  /** Number of layers. */
  get length(): number {
    return this.items.length;
  }

  /** The layer at `index`, or the one named `name`. */
  get(which: number | string): AnyLayer {
    const found =
      typeof which === 'number' ? this.items.at(which) : this.namedChildren().find(([n]) => n === which)?.[1];
    if (!found) throw new ValueError('Sequential', `no layer ${JSON.stringify(which)}`);
    return found;
  }

  protected call(x: Variable): Variable {
    let y = x;
    for (const l of this.items) y = l.forward(y);
    return y;
  }
}
