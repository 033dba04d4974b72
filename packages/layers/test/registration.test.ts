// Layers assigned to fields register themselves (issue 17: "a layer that is not registered
// trains nothing"), and an optimizer over no parameters is an error.
import {
  detectAnomaly,
  fromArray,
  parameter,
  Random,
  ShapeError,
  ValueError,
  type Variable,
  variable,
} from '@zerograd/core';
import { describe, expect, it } from 'vitest';
import { Affine, Layer, ReLU, Sequential, SGD, softmaxCrossEntropy } from '../src/index.js';

const random = new Random(1);

class TwoLayer extends Layer {
  readonly type = 'TwoLayer';
  fc1 = new Affine(4, 8, { random });
  act = new ReLU();
  fc2 = new Affine(8, 3, { random });
  scale = parameter([1.5]);
  protected call(x: Variable): Variable {
    return this.fc2.forward(this.act.forward(this.fc1.forward(x))).mul(this.scale);
  }
}

describe('fields register themselves, as nn.Module’s do', () => {
  it('children and parameters assigned to fields are found, named by their fields', () => {
    const m = new TwoLayer();
    expect(m.namedParameters().map(([n]) => n)).toEqual(['scale', 'fc1.W', 'fc1.b', 'fc2.W', 'fc2.b']);
    expect(m.namedChildren().map(([n]) => n)).toEqual(['fc1', 'act', 'fc2']);
    expect(m.parameterCount()).toBe(1 + 4 * 8 + 8 + 8 * 3 + 3);
  });

  it('an optimizer built on the model trains every field (it trained nothing before)', () => {
    const m = new TwoLayer();
    const before = m.fc1.parameters()[0].data.toArray();
    const opt = new SGD(m, { lr: 0.5 });
    expect(opt.params).toHaveLength(5);
    softmaxCrossEntropy(m.forward(variable(random.randn([5, 4]))), [0, 1, 2, 0, 1]).backward();
    opt.step();
    expect(m.fc1.parameters()[0].data.toArray()).not.toEqual(before);
    // The layer's scope names the field, so drawings box it as `fc1`.
    expect(m.fc1.name).toBe('fc1');
  });

  it('a layer shared between two fields, or also registered explicitly, is counted once', () => {
    class Shared extends Layer {
      readonly type = 'Shared';
      body = this.registerChild('body', new Sequential([new Affine(2, 2, { random })]));
      alias = this.body;
      protected call(x: Variable): Variable {
        return this.alias.forward(x);
      }
    }
    expect(new Shared().parameters()).toHaveLength(2);
  });

  it('an optimizer with no parameters is an error', () => {
    class Empty extends Layer {
      readonly type = 'Empty';
      protected call(x: Variable): Variable {
        return x;
      }
    }
    expect(() => new SGD(new Empty())).toThrow(ValueError);
    expect(() => new SGD([])).toThrow(/SGD: there are no parameters to update/);
  });
});

describe('errors say where', () => {
  it('a shape error inside a layer names the layer path, keeps its class, and keeps the op’s message', () => {
    const net = new Sequential([new Affine(4, 64, { random }), new ReLU(), new Affine(32, 10, { random })]);
    let err: unknown;
    try {
      net.forward(variable(random.randn([5, 4])));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ShapeError);
    expect(String((err as Error).message)).toMatch(/^Sequential\/affine2: MatMul: .*\(5, 64\).*\(32, 10\)/);
    expect((err as { cause?: unknown }).cause).toBeInstanceOf(ShapeError);
  });

  it('an anomaly in backward names the op and the layer its forward ran in', () => {
    const net = new Sequential([new Affine(2, 2, { random })]);
    const y = net.forward(variable([[1, 2]]));
    expect(() => detectAnomaly(() => y.backward({ seed: fromArray([[Number.NaN, 1]]) }))).toThrow(
      /in the backward of \w+ made in Sequential\/affine1/,
    );
  });
});
