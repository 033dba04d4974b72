/**
 * The graph as data. A `GraphSnapshot` is plain, JSON-serialisable and deeply frozen: it is
 * what leaves the live autodiff objects, and all that `@zerograd/viz` ever reads.
 */

/** Numbers of a tensor: every value when small, summary statistics when large. */
export type TensorValue =
  | {
      readonly kind: 'full';
      /** Row-major values. */
      readonly data: readonly number[];
    }
  | {
      readonly kind: 'summary';
      readonly min: number;
      readonly max: number;
      readonly mean: number;
      readonly std: number;
      /** Count of NaN/±Infinity entries. */
      readonly nonFinite: number;
      /** The first values in row-major order, for a glimpse. */
      readonly head: readonly number[];
    };

/** What a variable node is in the graph. */
export type VariableRole =
  /** A leaf that a layer owns and an optimizer updates (name usually `affine1.W`). */
  | 'parameter'
  /** A leaf created by the user that requires a gradient. */
  | 'input'
  /** A leaf that does not require a gradient (data, labels, literal numbers). */
  | 'constant'
  /** The output of an op. */
  | 'intermediate';

/** A variable in a snapshot: its value, gradient, shape and role. */
export interface SnapshotVariableNode {
  /** Stable within one trace: `v0`, `v1`, … in topological order from the inputs. */
  readonly id: string;
  readonly kind: 'variable';
  readonly role: VariableRole;
  /** The user's name, if any (`x`, `affine1.W`). */
  readonly name: string | null;
  readonly shape: readonly number[];
  readonly dtype: 'float32' | 'float64' | 'int32' | 'bool';
  /** Scope path the variable was created in, outermost first (`['Sequential', 'Affine']`). */
  readonly scope: readonly string[];
  readonly value: TensorValue;
  /** The gradient when known (after backward or in a backward step), else null. */
  readonly grad: TensorValue | null;
  readonly requiresGrad: boolean;
}

/** An op application in a snapshot. */
export interface SnapshotOpNode {
  /** Stable within one trace: `f0`, `f1`, … in topological order. */
  readonly id: string;
  readonly kind: 'op';
  /** The op's name: `Add`, `MatMul`, `Sigmoid`, or a custom op's name. */
  readonly op: string;
  /** The op's generation (distance from the leaves), as the backward engine sees it. */
  readonly generation: number;
  readonly scope: readonly string[];
  /** Non-tensor attributes of the op (axes, exponent, target shape), JSON values only. */
  readonly attrs: Readonly<Record<string, unknown>>;
}

/** Any node of a snapshot, told apart by `kind`. */
export type SnapshotNode = SnapshotVariableNode | SnapshotOpNode;

/** A directed edge: variable → op (an input) or op → variable (an output). */
export interface SnapshotEdge {
  readonly id: string;
  readonly from: string;
  readonly to: string;
  /** Position of the variable among the op's inputs or outputs. */
  readonly index: number;
}

/** A traced graph as plain, frozen, JSON-serialisable data (see `traceGraph`). */
export interface GraphSnapshot {
  readonly version: 1;
  readonly nodes: readonly SnapshotNode[];
  readonly edges: readonly SnapshotEdge[];
  /** Ids of the variables traced from (the outputs). */
  readonly outputs: readonly string[];
  /** In a backward-step sequence: what this step computed, else null. */
  readonly step: BackwardStepInfo | null;
}

/** What one step of a `backwardSteps` replay computed. */
export interface BackwardStepInfo {
  /** 0 for the seed step (the outputs' gradients of ones), then 1, 2, … */
  readonly index: number;
  /** The op node whose backward ran in this step (null for the seed step). */
  readonly op: string | null;
  /** Variable ids whose gradient became known (or grew, on fan-out) in this step. */
  readonly updated: readonly string[];
  /** Edge ids the gradient flowed along in this step (op → input variable, read backwards). */
  readonly edges: readonly string[];
}
