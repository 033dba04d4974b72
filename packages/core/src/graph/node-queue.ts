import type { OpNode } from './node.js';

/**
 * The op nodes waiting for their backward, deepest generation first: a binary max-heap on
 * `OpNode.generation`. DeZero keeps a list and sorts it at every insert; a heap gives the same
 * order in O(log n) per node. Each node's generation is kept beside it in a plain number array,
 * so moving up and down the heap compares numbers in one array instead of following a pointer
 * to a node per comparison.
 */
export class NodeQueue {
  private readonly nodes: OpNode[] = [];
  private readonly generations: number[] = [];

  get size(): number {
    return this.nodes.length;
  }

  push(node: OpNode): void {
    const { nodes, generations } = this;
    const generation = node.generation;
    let i = nodes.length;
    nodes.push(node);
    generations.push(generation);
    // Move the new node up while its parent is shallower.
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (generations[parent] >= generation) break;
      nodes[i] = nodes[parent];
      generations[i] = generations[parent];
      i = parent;
    }
    nodes[i] = node;
    generations[i] = generation;
  }

  /** Removes and returns the deepest node (the queue must not be empty). */
  pop(): OpNode {
    const { nodes, generations } = this;
    const top = nodes[0];
    const last = nodes.pop() as OpNode;
    const lastGeneration = generations.pop() as number;
    const n = nodes.length;
    if (n === 0) return top;
    // Move the last node down from the root while a child is deeper.
    let i = 0;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= n) break;
      if (child + 1 < n && generations[child + 1] > generations[child]) child++;
      if (generations[child] <= lastGeneration) break;
      nodes[i] = nodes[child];
      generations[i] = generations[child];
      i = child;
    }
    nodes[i] = last;
    generations[i] = lastGeneration;
    return top;
  }
}
