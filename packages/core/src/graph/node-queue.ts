import type { OpNode } from './node.js';

/**
 * The op nodes waiting for their backward, newest first: a binary max-heap on `OpNode.id`,
 * the node's place in creation order (PyTorch's engine orders its ready queue the same way).
 *
 * DeZero orders by generation (distance from the leaves), which is also correct, but it
 * interleaves independent parts of a graph: the 148 samples of a scalar MLP batch all have
 * nodes at each generation, so popping by generation jumps between samples, across memory
 * made far apart. Newest first walks memory back in the order it was filled: the scalar MLP's
 * backward went from 1.64 to 0.48 µs/node (bench `scalar`, Node 20; decision record 0002).
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
    // Move the new node up while its parent is older (has a smaller id).
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (heap[parent].id >= node.id) break;
      heap[i] = heap[parent];
      i = parent;
    }
    heap[i] = node;
  }

  /** Removes and returns the newest node, the one with the largest id (the queue must not be empty). */
  pop(): OpNode {
    const heap = this.heap;
    const top = heap[0];
    const last = heap.pop() as OpNode;
    const n = heap.length;
    if (n === 0) return top;
    // Move the last node down from the root while a child is newer.
    let i = 0;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= n) break;
      if (child + 1 < n && heap[child + 1].id > heap[child].id) child++;
      if (heap[child].id <= last.id) break;
      heap[i] = heap[child];
      i = child;
    }
    heap[i] = last;
    return top;
  }
}
