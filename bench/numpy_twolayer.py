#!/usr/bin/env python3
"""numpy's side of zerograd's training benchmark: the book's networks written in numpy.

The chapter-5 TwoLayerNet (Affine 784->50, ReLU, Affine 50->10, SoftmaxWithLoss, SGD) and the
stronger net of examples/src/mnist.ts (784-400-400-10, ReLU, inverted Dropout, Adam), with
forward and backward written by hand, layer by layer, as the book does. One iteration is what
zerograd's side does: forward, loss, backward, parameter update, on one batch. Like zerograd,
it computes no gradient for the input images (the first Affine skips dx = dout . W^T).

The harness hands both sides the same data: a directory with

    x.u8       the images as pixel bytes, one 784-byte row per image, in the order of the
               batches (pixels are byte / 255, computed in float64 then rounded, as loadMnist does)
    t.u8       the label of each row
    <net>.f64  the initial parameters (W1, b1, W2, b2, ...) in float64, concatenated

With --serve it answers JSON requests, one per line (like numpy_matmul.py):

    {"op": "info"}
    {"op": "prepare", "id": "...", "dir": "...", "rows": 8000, "batchSize": 100,
     "sizes": [784, 50, 10], "dropout": 0, "optimizer": "sgd" | "adam", "lr": 0.1,
     "params": "chapter5.f64", "dtype": "float32", "checkIterations": 5,
     "warmup": 3, "minSampleSeconds": 0.05}
        -> {"id", "callsPerSample", "losses": [loss of each check iteration]}
    {"op": "sample", "id": "...", "count": 1}  -> {"id", "seconds": [seconds per iteration]}
    {"op": "release", "id": "..."}
    {"op": "cpu"}                              -> {"seconds": CPU time used, all threads}

With --memory '<json>' it trains the chapter-5 net for some epochs over the whole set
(shuffled each epoch, batches copied out as zerograd's DataLoader does) and prints the
resident set size after each epoch and the peak (VmHWM on Linux, else ru_maxrss), in bytes:

    {"dir": "...", "rows": 8000, "batchSize": 100, "epochs": 10, "sizes": [784, 50, 10],
     "lr": 0.1, "params": "chapter5.f64", "dtype": "float32", "seed": 0}
        -> {"rssAtStart": n, "rssAfterEpoch": [...], "peakRss": n, "cpuSeconds": s, "losses": [...]}
"""

import json
import os
import resource
import sys
import time

import numpy as np

from pytiming import calibrate, sample

PIXELS = 784


# --- the book's layers ------------------------------------------------------------------


class Affine:
    def __init__(self, W, b, needs_dx=True):
        self.W, self.b = W, b
        self.needs_dx = needs_dx
        self.x = None
        self.dW = self.db = None

    def forward(self, x):
        self.x = x
        return x @ self.W + self.b

    def backward(self, dout):
        self.dW = self.x.T @ dout
        self.db = dout.sum(axis=0)
        return dout @ self.W.T if self.needs_dx else None


class Relu:
    def __init__(self):
        self.mask = None

    def forward(self, x):
        self.mask = x > 0
        return x * self.mask

    def backward(self, dout):
        return dout * self.mask


class Dropout:
    """Inverted dropout, as zerograd's: survivors scaled by 1/(1 - ratio) in training."""

    def __init__(self, ratio, rng):
        self.ratio = ratio
        self.rng = rng
        self.mask = None

    def forward(self, x):
        keep = x.dtype.type(1.0 / (1.0 - self.ratio))
        self.mask = (self.rng.random(x.shape, dtype=x.dtype) >= self.ratio) * keep
        return x * self.mask

    def backward(self, dout):
        return dout * self.mask


class SoftmaxWithLoss:
    """Mean cross-entropy of softmax(x) against integer labels, by log-sum-exp (no epsilon)."""

    def __init__(self):
        self.y = None
        self.t = None

    def forward(self, x, t):
        shifted = x - x.max(axis=1, keepdims=True)
        e = np.exp(shifted)
        s = e.sum(axis=1, keepdims=True)
        self.y = e / s
        self.t = t
        rows = np.arange(x.shape[0])
        return float(np.mean(np.log(s[:, 0]) - shifted[rows, t]))

    def backward(self):
        n = self.y.shape[0]
        dx = self.y.copy()
        dx[np.arange(n), self.t] -= 1
        return dx / dx.dtype.type(n)


# --- optimizers (the update runs in place on the parameters) ------------------------------


class SGD:
    def __init__(self, lr):
        self.lr = lr

    def update(self, params, grads):
        for p, g in zip(params, grads):
            p -= self.lr * g


class Adam:
    """Kingma & Ba, with zerograd's form: w -= lr * m_hat / (sqrt(v_hat) + eps)."""

    def __init__(self, lr, beta1=0.9, beta2=0.999, eps=1e-8):
        self.lr, self.beta1, self.beta2, self.eps = lr, beta1, beta2, eps
        self.m = self.v = None
        self.t = 0

    def update(self, params, grads):
        if self.m is None:
            self.m = [np.zeros_like(p) for p in params]
            self.v = [np.zeros_like(p) for p in params]
        self.t += 1
        b1, b2 = self.beta1, self.beta2
        c1 = 1 - b1**self.t
        c2 = 1 - b2**self.t
        for p, g, m, v in zip(params, grads, self.m, self.v):
            m *= b1
            m += (1 - b1) * g
            v *= b2
            v += (1 - b2) * (g * g)
            p -= (self.lr / c1) * m / (np.sqrt(v / c2) + self.eps)


class Net:
    """Affine (ReLU [Dropout] Affine)* and SoftmaxWithLoss, with the given initial parameters."""

    def __init__(self, params, dropout, optimizer, seed=0):
        self.params = params
        rng = np.random.default_rng(seed)
        self.layers = []
        self.affines = []
        for i in range(0, len(params), 2):
            if i > 0:
                self.layers.append(Relu())
                if dropout > 0:
                    self.layers.append(Dropout(dropout, rng))
            affine = Affine(params[i], params[i + 1], needs_dx=i > 0)
            self.affines.append(affine)
            self.layers.append(affine)
        self.loss_layer = SoftmaxWithLoss()
        self.optimizer = optimizer

    def step(self, x, t):
        """One training iteration: forward, loss, backward, update. Returns the loss."""
        for layer in self.layers:
            x = layer.forward(x)
        loss = self.loss_layer.forward(x, t)
        dout = self.loss_layer.backward()
        for layer in reversed(self.layers):
            dout = layer.backward(dout)
        grads = []
        for a in self.affines:
            grads += [a.dW, a.db]
        self.optimizer.update(self.params, grads)
        return loss


# --- data ---------------------------------------------------------------------------------


def load_data(request):
    dtype = np.dtype(request["dtype"])
    rows = int(request["rows"])
    raw = np.fromfile(os.path.join(request["dir"], "x.u8"), dtype=np.uint8, count=rows * PIXELS)
    # byte / 255 in float64, rounded once to dtype (as loadMnist's table), without a float64 copy
    table = (np.arange(256, dtype=np.float64) / 255.0).astype(dtype)
    x = table[raw.reshape(rows, PIXELS)]
    t = np.fromfile(os.path.join(request["dir"], "t.u8"), dtype=np.uint8, count=rows).astype(np.intp)
    return x, t


def load_params(request):
    """The initial parameters zerograd drew, in its order: W (in, out) then b (out) per Affine."""
    dtype = np.dtype(request["dtype"])
    flat = np.fromfile(os.path.join(request["dir"], request["params"]), dtype="<f8")
    sizes = request["sizes"]
    params, at = [], 0
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        for shape in ((fan_in, fan_out), (fan_out,)):
            n = int(np.prod(shape))
            params.append(flat[at : at + n].reshape(shape).astype(dtype))
            at += n
    if at != flat.size:
        raise ValueError("parameter file holds %d numbers, sizes %r need %d" % (flat.size, sizes, at))
    return params


def make_net(request):
    lr = float(request["lr"])
    optimizer = Adam(lr) if request.get("optimizer", "sgd") == "adam" else SGD(lr)
    return Net(load_params(request), float(request.get("dropout", 0)), optimizer, int(request.get("seed", 0)))


# --- timing (as bench/src/timing.ts and numpy_matmul.py) -----------------------------------




def prepare(request):
    """Builds the net and its batches, runs the check iterations, then calibrates."""
    x, t = load_data(request)
    bs = int(request["batchSize"])
    batches = [(x[i : i + bs], t[i : i + bs]) for i in range(0, x.shape[0] - bs + 1, bs)]
    net = make_net(request)
    losses = [net.step(*batches[i % len(batches)]) for i in range(int(request.get("checkIterations", 0)))]
    state = {"i": len(losses)}

    def iteration():
        i = state["i"]
        state["i"] = i + 1
        net.step(*batches[i % len(batches)])

    calls = calibrate(iteration, int(request.get("warmup", 3)), float(request.get("minSampleSeconds", 0.05)))
    return iteration, calls, losses


def info():
    """Versions, the BLAS in use and its environment: numpy_matmul.py's report."""
    from numpy_matmul import info as matmul_info  # the script's own directory is on sys.path

    return matmul_info()


def serve():
    prepared = {}
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            request = json.loads(line)
            op = request.get("op")
            if op == "info":
                reply = info()
            elif op == "prepare":
                fn, calls, losses = prepare(request)
                prepared[request["id"]] = (fn, calls)
                reply = {"id": request["id"], "callsPerSample": calls, "losses": losses}
            elif op == "sample":
                fn, calls = prepared[request["id"]]
                reply = {"id": request["id"], "seconds": [sample(fn, calls) for _ in range(int(request.get("count", 1)))]}
            elif op == "release":
                prepared.pop(request["id"], None)
                reply = {"id": request["id"]}
            elif op == "cpu":
                reply = {"seconds": time.process_time()}
            else:
                reply = {"error": "unknown op %r" % (op,)}
        except Exception as exc:  # report, keep serving
            reply = {"error": repr(exc)}
        sys.stdout.write(json.dumps(reply) + "\n")
        sys.stdout.flush()


# --- memory ---------------------------------------------------------------------------------


def current_rss():
    """Resident set size now, in bytes (Linux /proc; falls back to the peak elsewhere)."""
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:
        return peak_rss()


def peak_rss():
    """This process's peak resident set size, in bytes.

    On Linux, /proc/self/status's VmHWM: getrusage's ru_maxrss is preserved across execve, so a
    Python started by a large Node process would report Node's peak as its own.
    """
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024  # Linux reports KiB, macOS bytes


def memory(request):
    at_start = current_rss()
    x, t = load_data(request)
    bs = int(request["batchSize"])
    net = make_net(request)
    rng = np.random.default_rng(int(request.get("seed", 0)))
    after, losses = [], []
    for _ in range(int(request["epochs"])):
        order = rng.permutation(x.shape[0])
        loss = 0.0
        for start in range(0, x.shape[0], bs):
            idx = order[start : start + bs]
            loss += net.step(x[idx], t[idx])
        losses.append(loss / -(-x.shape[0] // bs))
        after.append(current_rss())
    return {
        "rssAtStart": at_start,
        "rssAfterEpoch": after,
        "peakRss": peak_rss(),
        "cpuSeconds": time.process_time(),
        "losses": losses,
    }


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "--serve":
        serve()
    elif len(sys.argv) > 2 and sys.argv[1] == "--memory":
        json.dump(memory(json.loads(sys.argv[2])), sys.stdout)
        sys.stdout.write("\n")
    else:
        sys.stderr.write("usage: numpy_twolayer.py --serve | --memory '<json>'\n")
        sys.exit(2)


if __name__ == "__main__":
    main()
