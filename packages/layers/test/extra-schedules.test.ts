// Learning-rate schedules against their closed forms and PyTorch's rules, used by hand and in
// `train`; gradient clipping (clipGradNorm, clipGradValue) on hand-computed gradients.
import {
  AnomalyError,
  add,
  fromArray,
  mul,
  parameter,
  Random,
  sum,
  tensor,
  ValueError,
  variable,
} from '@zerograd/core';
import { describe, expect, it } from 'vitest';
import {
  Affine,
  CosineAnnealingLR,
  clipGradNorm,
  clipGradValue,
  ExponentialLR,
  LinearWarmup,
  type LRScheduler,
  Momentum,
  ReduceLROnPlateau,
  SGD,
  SoftmaxWithLoss,
  StepLR,
  train,
} from '../src/index.js';

const opt = (lr = 0.1) => new SGD([parameter([1, 2])], { lr });

/** The learning rate before any step, then after each of `n` steps. */
function run(s: LRScheduler, n: number, metric?: (i: number) => number): number[] {
  const lrs = [s.optimizer.lr];
  for (let i = 0; i < n; i++) {
    s.step(metric?.(i));
    lrs.push(s.optimizer.lr);
  }
  return lrs;
}

describe('closed-form schedules', () => {
  it('StepLR: base·γ^⌊t/stepSize⌋', () => {
    const lrs = run(new StepLR(opt(0.5), { stepSize: 3, gamma: 0.1 }), 7);
    expect(lrs).toEqual([0.5, 0.5, 0.5, 0.05, 0.05, 0.05, 0.5 * 0.1 ** 2, 0.5 * 0.1 ** 2]);
  });

  it('ExponentialLR: base·γᵗ', () => {
    const lrs = run(new ExponentialLR(opt(2), { gamma: 0.5 }), 4);
    expect(lrs).toEqual([2, 1, 0.5, 0.25, 0.125]);
  });

  it('CosineAnnealingLR: base at 0, the midpoint at tMax/2, etaMin at tMax, rising after (PyTorch)', () => {
    const s = new CosineAnnealingLR(opt(0.1), { tMax: 10, etaMin: 0.001 });
    const lrs = run(s, 20);
    const closed = (t: number) => 0.001 + ((0.1 - 0.001) * (1 + Math.cos((Math.PI * t) / 10))) / 2;
    lrs.forEach((lr, t) => {
      expect(lr).toBeCloseTo(closed(t), 15);
    });
    expect(lrs[0]).toBe(0.1);
    expect(lrs[5]).toBeCloseTo(0.0505, 15);
    expect(lrs[10]).toBeCloseTo(0.001, 15);
    expect(lrs[15]).toBeCloseTo(0.0505, 15);
    expect(lrs[20]).toBeCloseTo(0.1, 15);
    expect(s.lrAt(2.5)).toBeCloseTo(closed(2.5), 15);
    expect(s.lr).toBe(lrs[20]);
  });

  it('LinearWarmup: from startFactor·target to target in `steps`, then constant', () => {
    const lrs = run(new LinearWarmup(opt(0.3), { steps: 3 }), 5);
    [0.1, 0.1 + 0.2 / 3, 0.1 + 0.4 / 3, 0.3, 0.3, 0.3].forEach((v, i) => {
      expect(lrs[i]).toBeCloseTo(v, 15);
    });
    expect(run(new LinearWarmup(opt(1), { steps: 4, startFactor: 0 }), 4)).toEqual([0, 0.25, 0.5, 0.75, 1]);
  });

  it('LinearWarmup hands over to the schedule `after` (its step 0 at the end of the warm-up)', () => {
    const o = opt(1);
    const cosine = new CosineAnnealingLR(o, { tMax: 4 });
    const s = new LinearWarmup(o, { steps: 2, startFactor: 0.5, after: cosine });
    expect(s.baseLr).toBe(1);
    const lrs = run(s, 7);
    const want = [0.5, 0.75, 1, cosine.lrAt(1), cosine.lrAt(2), cosine.lrAt(3), cosine.lrAt(4), cosine.lrAt(5)];
    lrs.forEach((v, i) => {
      expect(v).toBeCloseTo(want[i], 15);
    });
    expect(cosine.stepCount).toBe(5);
    // Built in the other order, the warm-up still targets the original rate (the cosine's base).
    const o2 = opt(1);
    const c2 = new CosineAnnealingLR(o2, { tMax: 4 });
    expect(new LinearWarmup(o2, { steps: 2, after: c2 }).baseLr).toBe(1);
  });

  it('used by hand after optimizer.step(), the update uses the scheduled rate', () => {
    const w = parameter([1]);
    const o = new SGD([w], { lr: 1 });
    const s = new StepLR(o, { stepSize: 1, gamma: 0.5 });
    const values: number[] = [];
    for (let i = 0; i < 3; i++) {
      o.zeroGrad();
      w.mul(1).sum().backward(); // gradient 1
      o.step();
      s.step();
      values.push(w.toArray()[0]);
    }
    expect(values).toEqual([0, -0.5, -0.75]); // steps of 1, 0.5, 0.25
  });

  it('state round-trips: a restored schedule continues where the original stopped', () => {
    const a = new CosineAnnealingLR(opt(0.1), { tMax: 10 });
    run(a, 4);
    const b = new CosineAnnealingLR(opt(0.1), { tMax: 10 });
    b.loadStateDict(a.stateDict());
    expect(b.stepCount).toBe(4);
    expect(run(b, 3)).toEqual(run(a, 3));
    expect(() => b.loadStateDict(new StepLR(opt(), { stepSize: 1 }).stateDict())).toThrow(
      /CosineAnnealingLR: cannot load the state of a StepLR/,
    );
  });

  it('bad options are ValueErrors naming the schedule and the option', () => {
    expect(() => new StepLR(opt(), { stepSize: 0 })).toThrow(/StepLR: stepSize must be a positive integer, got 0/);
    expect(() => new CosineAnnealingLR(opt(), { tMax: 1.5 })).toThrow(ValueError);
    expect(() => new ExponentialLR(opt(), { gamma: -1 })).toThrow(/gamma/);
    expect(() => new LinearWarmup(opt(), { steps: 2, startFactor: 2 })).toThrow(/startFactor must be in \[0, 1\]/);
    expect(() => new LinearWarmup(opt(), { steps: 2, after: new StepLR(opt(), { stepSize: 1 }) })).toThrow(
      /belongs to another optimizer/,
    );
    expect(() => new StepLR({} as never, { stepSize: 1 })).toThrow(/expected an Optimizer/);
  });
});

describe('ReduceLROnPlateau (PyTorch’s rule)', () => {
  it('reduces after more than `patience` steps without a relative improvement of `threshold`', () => {
    const s = new ReduceLROnPlateau(opt(1), { patience: 2, factor: 0.5 });
    // 10, 9 improve; 9 (no gain), 9.0000 (within threshold), 9 → third bad step → reduce.
    const metrics = [10, 9, 9, 8.9995, 9, 9, 9, 9, 9];
    const lrs = run(s, metrics.length, (i) => metrics[i]);
    expect(lrs).toEqual([1, 1, 1, 1, 1, 0.5, 0.5, 0.5, 0.25, 0.25]);
  });

  it("mode 'max', cooldown and minLr", () => {
    const s = new ReduceLROnPlateau(opt(1), { mode: 'max', patience: 0, factor: 0.1, cooldown: 1, minLr: 0.005 });
    // Accuracy stalls: every step is bad; after each reduction one step of cooldown is forgiven.
    const lrs = run(s, 6, () => 0.5);
    // step 1: first value is an improvement (best −∞); 2: bad → reduce (cooldown 1);
    // 3: cooldown, forgiven; 4: bad → reduce; 5: forgiven; 6: bad → reduce, floored at minLr.
    expect(lrs.map((v) => Number(v.toPrecision(12)))).toEqual([1, 1, 0.1, 0.1, 0.01, 0.01, 0.005]);
  });

  it('needs the metric', () => {
    expect(() => new ReduceLROnPlateau(opt()).step()).toThrow(/ReduceLROnPlateau: step\(metric\) needs the metric/);
    expect(() => new ReduceLROnPlateau(opt(), { factor: 1 })).toThrow(/factor must be in \[0, 1\)/);
  });

  it('after a warm-up, it receives the metric', () => {
    const o = opt(1);
    const plateau = new ReduceLROnPlateau(o, { patience: 0 });
    const s = new LinearWarmup(o, { steps: 1, after: plateau });
    expect(run(s, 3, () => 1)).toEqual([1 / 3, 1, 1, 0.1]);
  });
});

describe('train({ schedule })', () => {
  const data = (() => {
    const r = new Random(0);
    const x = r.randn([40, 3]);
    const t = fromArray(Array.from({ length: 40 }, (_, i) => (x.data[3 * i] > 0 ? 1 : 0)));
    return { train: { x, t }, test: { x, t } };
  })();

  it('steps once per epoch by default, once per iteration on request', () => {
    const net = new Affine(3, 2, { seed: 0 });
    const o = new SGD(net, { lr: 0.1 });
    const seen: number[] = [];
    train({
      model: net,
      loss: new SoftmaxWithLoss(),
      optimizer: o,
      schedule: new StepLR(o, { stepSize: 1, gamma: 0.5 }),
      data,
      epochs: 3,
      batchSize: 10,
      progress: false,
      onIteration: () => {
        seen.push(o.lr);
      },
    });
    expect(seen).toEqual([...Array(4).fill(0.1), ...Array(4).fill(0.05), ...Array(4).fill(0.025)]);
    const o2 = new SGD(net, { lr: 1 });
    const s2 = new ExponentialLR(o2, { gamma: 0.5 });
    train({
      model: net,
      loss: new SoftmaxWithLoss(),
      optimizer: o2,
      schedule: s2,
      scheduleEvery: 'iteration',
      data,
      iterations: 5,
      batchSize: 10,
      progress: false,
    });
    expect(s2.stepCount).toBe(5);
    expect(o2.lr).toBe(1 / 32);
  });

  it('ReduceLROnPlateau gets the test loss of each epoch', () => {
    const net = new Affine(3, 2, { seed: 0 });
    const o = new SGD(net, { lr: 0.1 });
    const s = new ReduceLROnPlateau(o, { patience: 100 });
    const metrics: number[] = [];
    const original = s.step.bind(s);
    s.step = (m?: number) => {
      metrics.push(m as number);
      original(m);
    };
    const r = train({
      model: net,
      loss: new SoftmaxWithLoss(),
      optimizer: o,
      schedule: s,
      data,
      epochs: 2,
      batchSize: 10,
      progress: false,
    });
    expect(metrics).toEqual(r.history.evaluations.map((e) => e.testLoss));
  });

  it('a schedule of another optimizer is refused', () => {
    const net = new Affine(3, 2, { seed: 0 });
    expect(() =>
      train({
        model: net,
        loss: new SoftmaxWithLoss(),
        optimizer: new SGD(net),
        schedule: new StepLR(opt(), { stepSize: 1 }),
        data,
        progress: false,
      }),
    ).toThrow(/train: schedule must be a learning-rate schedule built on the optimizer given to train/);
  });
});

describe('gradient clipping', () => {
  /** Two parameters with gradients [3, 0] and [4] (joint norm 5). */
  function setup() {
    const a = parameter([1, 2]);
    const b = parameter([5]);
    sum(mul(a, tensor([3, 0])))
      .add(sum(mul(b, 4)))
      .backward();
    return { a, b };
  }

  it('clipGradNorm scales every gradient by maxNorm/(norm + 1e-6) and returns the norm before', () => {
    const { a, b } = setup();
    expect(clipGradNorm([a, b], 1)).toBe(5);
    const c = 1 / (5 + 1e-6);
    expect(a.grad?.toArray()).toEqual([3 * c, 0]);
    expect(b.grad?.toArray()).toEqual([4 * c]);
    // Under the limit nothing changes.
    const s = setup();
    expect(clipGradNorm([s.a, s.b], 10)).toBe(5);
    expect(s.a.grad?.toArray()).toEqual([3, 0]);
  });

  it('the infinity norm is the largest absolute element', () => {
    const { a, b } = setup();
    expect(clipGradNorm([a, b], 2, { normType: Number.POSITIVE_INFINITY })).toBe(4);
    expect(b.grad?.toArray()[0]).toBeCloseTo(2, 5);
  });

  it('takes a model or an optimizer, and skips parameters without gradients', () => {
    const net = new Affine(2, 1, { seed: 0 });
    net
      .forward(tensor([[3, 4]]))
      .sum()
      .backward(); // dW = [3, 4]ᵀ, db = [1]
    expect(clipGradNorm(net, 100)).toBeCloseTo(Math.sqrt(26), 14);
    expect(clipGradNorm(new Momentum(net), 100)).toBeCloseTo(Math.sqrt(26), 14);
    net.b!.grad = null;
    expect(clipGradNorm(net, 100)).toBeCloseTo(5, 14);
  });

  it('gives new gradients: a gradient kept before clipping keeps its numbers; each is scaled once', () => {
    const a = parameter([2]);
    const b = parameter([3]);
    add(a, b).sum().backward(); // Add passes its upstream gradient to both inputs
    const kept = a.grad;
    clipGradNorm([a, b], 1);
    const c = 1 / (Math.SQRT2 + 1e-6);
    expect(a.grad?.toArray()).toEqual([c]);
    expect(b.grad?.toArray()).toEqual([c]);
    expect(kept?.toArray()).toEqual([1]);
    expect(a.grad).not.toBe(kept);
  });

  it('a non-finite norm leaves the gradients alone and is returned, or throws on request', () => {
    const a = parameter([1]);
    a.mul(Number.POSITIVE_INFINITY).sum().backward();
    expect(clipGradNorm([a], 1)).toBe(Number.POSITIVE_INFINITY);
    expect(a.grad?.toArray()).toEqual([Number.POSITIVE_INFINITY]);
    expect(() => clipGradNorm([a], 1, { errorIfNonfinite: true })).toThrow(AnomalyError);
  });

  it('clipGradValue clamps each element into [−c, c]', () => {
    const { a, b } = setup();
    clipGradValue([a, b], 3.5);
    expect(a.grad?.toArray()).toEqual([3, 0]);
    expect(b.grad?.toArray()).toEqual([3.5]);
    const x = variable([1, 1, 1]);
    mul(x, tensor([-10, 0.5, 10]))
      .sum()
      .backward();
    clipGradValue([x], 1);
    expect(x.grad?.toArray()).toEqual([-1, 0.5, 1]);
  });

  it('bad arguments are ValueErrors', () => {
    expect(() => clipGradNorm([], -1)).toThrow(/clipGradNorm: maxNorm must be a number ≥ 0/);
    expect(() => clipGradNorm([1 as never], 1)).toThrow(/parameter 0 is not a Variable/);
    expect(() => clipGradNorm([], 1, { normType: 1 as never })).toThrow(/normType must be 2 or Infinity/);
    expect(() => clipGradValue([], Number.NaN)).toThrow(/clipGradValue: clipValue/);
    expect(clipGradNorm([], 1)).toBe(0);
  });
});
