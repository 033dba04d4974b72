/**
 * The snapshot contract, imported from core as types only (erased at runtime), so viz can draw
 * any snapshot — including one read back from JSON — without depending on core's code.
 */
export type {
  BackwardStepInfo,
  GraphSnapshot,
  SnapshotEdge,
  SnapshotNode,
  SnapshotOpNode,
  SnapshotVariableNode,
  TensorValue,
  VariableRole,
} from '@zerograd/core';
