#!/usr/bin/env python3
"""Plain-Python reference of zerograd's scalar-graph benchmark: an MLP built of scalar nodes.

`Scalar` is a tiny reverse-mode autodiff value. Each node keeps its value, its parents and the
local derivative of its value with respect to each parent (d self / d parent), computed in the
forward pass; backward visits the nodes in reverse topological order and pushes
`local * grad` into every parent. No numpy: every node is one Python object, as every node is
one zerograd Variable on the other side.

The graph, built the same way and in the same order as bench/src/suites/scalar.ts builds it:
for each sample, neuron = b + w1*x1 + w2*x2 + ... (then ReLU, except in the last layer), and
loss = (sum over samples of (y - target)^2) * (1 / batch).

Python's cyclic garbage collector runs as it would for any user (about half of the time
here goes to its scans of the ~100,000 live nodes); with "gc": false in the request it is
paused for each forward + backward, which shows the interpreter's cost alone.

With --serve it answers JSON lines (like numpy_matmul.py):

    {"op": "prepare", "id": "...", "sizes": [3, 16, 16, 1], "params": [[W rows as [w..., b]] per layer],
     "inputs": [[x1, x2, x3], ...], "targets": [...], "gc": true, "warmup": 2, "minSampleSeconds": 0.05}
        -> {"id", "callsPerSample", "nodes", "loss", "paramGrads": [...], "inputGrads": [...]}
    {"op": "sample", "id": "...", "count": 1} -> {"id", "seconds": [seconds per forward + backward]}
    {"op": "release", "id": "..."}
    {"op": "cpu"}                            -> {"seconds": CPU time used}
"""

import gc
import json
import sys
import time

from pytiming import calibrate, sample


class Scalar:
    __slots__ = ("value", "grad", "parents", "locals")

    def __init__(self, value, parents=(), local_derivatives=()):
        self.value = value
        self.grad = 0.0
        self.parents = parents
        self.locals = local_derivatives

    def __add__(self, other):
        other = other if isinstance(other, Scalar) else Scalar(float(other))
        return Scalar(self.value + other.value, (self, other), (1.0, 1.0))

    def __sub__(self, other):
        other = other if isinstance(other, Scalar) else Scalar(float(other))
        return Scalar(self.value - other.value, (self, other), (1.0, -1.0))

    def __mul__(self, other):
        other = other if isinstance(other, Scalar) else Scalar(float(other))
        # d(a*b)/da = b, d(a*b)/db = a
        return Scalar(self.value * other.value, (self, other), (other.value, self.value))

    def relu(self):
        positive = self.value > 0
        return Scalar(self.value if positive else 0.0, (self,), (1.0 if positive else 0.0,))

    def topological_order(self):
        """Every node this one depends on, parents before children (iterative depth-first)."""
        order, seen = [], {id(self)}
        stack = [(self, iter(self.parents))]
        while stack:
            node, parents = stack[-1]
            for p in parents:
                if id(p) not in seen:
                    seen.add(id(p))
                    stack.append((p, iter(p.parents)))
                    break
            else:
                stack.pop()
                order.append(node)
        return order

    def backward(self):
        """Gradients of this node with respect to every node of its graph; returns the node count."""
        order = self.topological_order()
        self.grad = 1.0
        for node in reversed(order):
            g = node.grad
            for parent, local in zip(node.parents, node.locals):
                parent.grad += local * g
        return len(order)


def make_params(spec):
    """Leaves for every weight and bias: layers of neurons, each [w..., b]."""
    return [[[Scalar(float(v)) for v in neuron] for neuron in layer] for layer in spec]


def forward(params, inputs, targets):
    total = None
    for x, target in zip(inputs, targets):
        act = x
        for li, layer in enumerate(params):
            last = li == len(params) - 1
            out = []
            for neuron in layer:
                s = neuron[-1]  # b, then + w_i * x_i in order
                for w, xi in zip(neuron[:-1], act):
                    s = s + w * xi
                out.append(s if last else s.relu())
            act = out
        d = act[0] - target
        sq = d * d
        total = sq if total is None else total + sq
    return total * (1.0 / len(inputs))


def build(request):
    params = make_params(request["params"])
    inputs = [[Scalar(float(v)) for v in row] for row in request["inputs"]]
    targets = [Scalar(float(v)) for v in request["targets"]]
    leaves = [p for layer in params for neuron in layer for p in neuron]
    leaves += [x for row in inputs for x in row] + targets

    def step():
        for leaf in leaves:
            leaf.grad = 0.0
        loss = forward(params, inputs, targets)
        return loss, loss.backward()

    if request.get("gc", True):
        return step, params, inputs

    def step_without_gc():
        # The graph has no reference cycles (nodes point only at their parents), so reference
        # counting frees it; the cyclic collector only spends time scanning the live nodes.
        gc.disable()
        try:
            return step()
        finally:
            gc.enable()

    return step_without_gc, params, inputs




def serve():
    prepared = {}
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            request = json.loads(line)
            op = request.get("op")
            if op == "prepare":
                step, params, inputs = build(request)
                loss, nodes = step()
                reply = {
                    "id": request["id"],
                    "nodes": nodes,
                    "loss": loss.value,
                    "paramGrads": [[p.grad for p in neuron] for layer in params for neuron in layer],
                    "inputGrads": [[x.grad for x in row] for row in inputs],
                }
                calls = calibrate(step, int(request.get("warmup", 2)), float(request.get("minSampleSeconds", 0.05)))
                prepared[request["id"]] = (step, calls)
                reply["callsPerSample"] = calls
            elif op == "sample":
                step, calls = prepared[request["id"]]
                reply = {"id": request["id"], "seconds": [sample(step, calls) for _ in range(int(request.get("count", 1)))]}
            elif op == "release":
                prepared.pop(request["id"], None)
                reply = {"id": request["id"]}
            elif op == "cpu":
                reply = {"seconds": time.process_time()}
            elif op == "info":
                reply = {"python": sys.version.split()[0], "implementation": sys.implementation.name}
            else:
                reply = {"error": "unknown op %r" % (op,)}
        except Exception as exc:  # report, keep serving
            reply = {"error": repr(exc)}
        sys.stdout.write(json.dumps(reply) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--serve":
        serve()
    else:
        sys.stderr.write("usage: python_scalar.py --serve\n")
        sys.exit(2)
