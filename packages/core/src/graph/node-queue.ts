import type { OpNode } from './node.js';

/**
 * The op nodes waiting for their backward, deepest generation first: a binary max-heap on
 * `OpNode.generation`. DeZero keeps a list and sorts it at every insert; a heap gives the same
 * order in O(log n) per node, so a graph of a million nodes is no slower per node than a small one.
 */
export class NodeQueue {
  private readonly heap: OpNode[] = [];

  get size(): number {
    return this.heap.length;
  }

  push(node: OpNode): void {
    const heap = this.heap;
    let i = heap.length;
    heap.push(node);
    // Move the new node up while its parent is shallower.
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (heap[parent].generation >= node.generation) break;
      heap[i] = heap[parent];
      i = parent;
    }
    heap[i] = node;
  }

  /** Removes and returns the deepest node (the queue must not be empty). */
  pop(): OpNode {
    const heap = this.heap;
    const top = heap[0];
    const last = heap.pop() as OpNode;
    const n = heap.length;
    if (n === 0) return top;
    // Move the last node down from the root while a child is deeper.
    let i = 0;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= n) break;
      if (child + 1 < n && heap[child + 1].generation > heap[child].generation) child++;
      if (heap[child].generation <= last.generation) break;
      heap[i] = heap[child];
      i = child;
    }
    heap[i] = last;
    return top;
  }
}
