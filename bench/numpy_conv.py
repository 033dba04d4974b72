"""The references of the conv suite (bench/src/suites/conv.ts).

numpy: the book's own implementation of chapters 7 and 8 (Deep Learning from Scratch,
common/util.py, common/layers.py, ch08/deep_convnet.py), written out here: im2col / col2im,
Convolution and Pooling layers with their backward passes, ReLU, Affine, Dropout,
SoftmaxWithLoss and Adam, assembled into SimpleConvNet (Conv 30@5x5 -> ReLU -> MaxPool 2x2 ->
Affine 100 -> ReLU -> Affine 10) and DeepConvNet (six 3x3 convolutions 16-16-32-32-64-64 with
ReLU, 2x2 max pooling after every second -> Affine 50 -> ReLU -> Dropout 0.5 -> Affine 10 ->
Dropout 0.5).

torch: the same measurements with PyTorch on the CPU (F.conv2d, and nn.Sequential versions of
the same nets with torch.optim.Adam), when `import torch` works; the suite skips the column
otherwise. It runs with PyTorch's default thread count unless ZEROGRAD_BENCH_TORCH_THREADS is
set.

The cases: "forward" (conv2d forward with bias only), "conv" (forward, then the gradients of
x, W and b for a given upstream gradient), "net" (one SimpleConvNet training iteration) and
"deep" (one DeepConvNet training iteration), all batch 100.

Inputs are random (uniform pixels in [0, 1), random labels): the cost of these kernels does
not depend on the values. Everything runs in float32, like zerograd's rows.

With --serve it answers JSON requests, one per line (like numpy_twolayer.py):
  {"op": "info"}
  {"op": "prepare", "id": s, "case": "forward" | "conv" | "net" | "deep", "impl": "numpy" | "torch",
   "warmup": n, "minSampleSeconds": s, "inputs": dir}  ->  {"check": {...}}: with `inputs`
   (forward and conv only), the case computed on the x, W, b, gy zerograd wrote there, as sums
   of squares of y (forward) or y, dx, dW, db (conv), to compare
  {"op": "sample", "id": s, "count": n}   ->  {"seconds": [...]}  (seconds per call)
  {"op": "release", "id": s}
  {"op": "cpu"}
"""

import json
import os
import sys
import time

import numpy as np

from pytiming import calibrate, sample

DT = np.float32
N, C, H, W = 100, 1, 28, 28
F, K = 30, 5


# --- the book's numpy implementation -------------------------------------------------------


def im2col(input_data, filter_h, filter_w, stride=1, pad=0):
    n, c, h, w = input_data.shape
    out_h = (h + 2 * pad - filter_h) // stride + 1
    out_w = (w + 2 * pad - filter_w) // stride + 1
    img = np.pad(input_data, [(0, 0), (0, 0), (pad, pad), (pad, pad)], "constant")
    col = np.zeros((n, c, filter_h, filter_w, out_h, out_w), dtype=input_data.dtype)
    for y in range(filter_h):
        y_max = y + stride * out_h
        for x in range(filter_w):
            x_max = x + stride * out_w
            col[:, :, y, x, :, :] = img[:, :, y:y_max:stride, x:x_max:stride]
    return col.transpose(0, 4, 5, 1, 2, 3).reshape(n * out_h * out_w, -1)


def col2im(col, input_shape, filter_h, filter_w, stride=1, pad=0):
    n, c, h, w = input_shape
    out_h = (h + 2 * pad - filter_h) // stride + 1
    out_w = (w + 2 * pad - filter_w) // stride + 1
    col = col.reshape(n, out_h, out_w, c, filter_h, filter_w).transpose(0, 3, 4, 5, 1, 2)
    img = np.zeros((n, c, h + 2 * pad + stride - 1, w + 2 * pad + stride - 1), dtype=col.dtype)
    for y in range(filter_h):
        y_max = y + stride * out_h
        for x in range(filter_w):
            x_max = x + stride * out_w
            img[:, :, y:y_max:stride, x:x_max:stride] += col[:, :, y, x, :, :]
    return img[:, :, pad : h + pad, pad : w + pad]


class Convolution:
    def __init__(self, W, b, stride=1, pad=0):
        self.W, self.b, self.stride, self.pad = W, b, stride, pad

    def forward(self, x):
        fn, c, fh, fw = self.W.shape
        n, c, h, w = x.shape
        out_h = 1 + (h + 2 * self.pad - fh) // self.stride
        out_w = 1 + (w + 2 * self.pad - fw) // self.stride
        col = im2col(x, fh, fw, self.stride, self.pad)
        col_W = self.W.reshape(fn, -1).T
        out = np.dot(col, col_W) + self.b
        out = out.reshape(n, out_h, out_w, -1).transpose(0, 3, 1, 2)
        self.x, self.col, self.col_W = x, col, col_W
        return out

    def backward(self, dout):
        fn, c, fh, fw = self.W.shape
        dout = dout.transpose(0, 2, 3, 1).reshape(-1, fn)
        self.db = np.sum(dout, axis=0)
        self.dW = np.dot(self.col.T, dout).transpose(1, 0).reshape(fn, c, fh, fw)
        dcol = np.dot(dout, self.col_W.T)
        return col2im(dcol, self.x.shape, fh, fw, self.stride, self.pad)


class Pooling:
    def __init__(self, pool_h, pool_w, stride=1, pad=0):
        self.pool_h, self.pool_w, self.stride, self.pad = pool_h, pool_w, stride, pad

    def forward(self, x):
        n, c, h, w = x.shape
        out_h = int(1 + (h - self.pool_h) / self.stride)
        out_w = int(1 + (w - self.pool_w) / self.stride)
        col = im2col(x, self.pool_h, self.pool_w, self.stride, self.pad).reshape(-1, self.pool_h * self.pool_w)
        self.arg_max = np.argmax(col, axis=1)
        out = np.max(col, axis=1).reshape(n, out_h, out_w, c).transpose(0, 3, 1, 2)
        self.x = x
        return out

    def backward(self, dout):
        dout = dout.transpose(0, 2, 3, 1)
        pool_size = self.pool_h * self.pool_w
        dmax = np.zeros((dout.size, pool_size), dtype=dout.dtype)
        dmax[np.arange(self.arg_max.size), self.arg_max.flatten()] = dout.flatten()
        dmax = dmax.reshape(dout.shape + (pool_size,))
        dcol = dmax.reshape(dmax.shape[0] * dmax.shape[1] * dmax.shape[2], -1)
        return col2im(dcol, self.x.shape, self.pool_h, self.pool_w, self.stride, self.pad)


class Relu:
    def forward(self, x):
        self.mask = x <= 0
        out = x.copy()
        out[self.mask] = 0
        return out

    def backward(self, dout):
        dout = dout.copy()
        dout[self.mask] = 0
        return dout


class Affine:
    def __init__(self, W, b):
        self.W, self.b = W, b

    def forward(self, x):
        self.original_x_shape = x.shape
        self.x = x.reshape(x.shape[0], -1)
        return np.dot(self.x, self.W) + self.b

    def backward(self, dout):
        dx = np.dot(dout, self.W.T)
        self.dW = np.dot(self.x.T, dout)
        self.db = np.sum(dout, axis=0)
        return dx.reshape(*self.original_x_shape)


class SoftmaxWithLoss:
    def forward(self, x, t):
        x = x - x.max(axis=1, keepdims=True)
        self.y = np.exp(x) / np.sum(np.exp(x), axis=1, keepdims=True)
        self.t = t
        return -np.sum(np.log(self.y[np.arange(t.size), t] + 1e-7)) / t.size

    def backward(self):
        dx = self.y.copy()
        dx[np.arange(self.t.size), self.t] -= 1
        return dx / self.t.size


class Adam:
    def __init__(self, lr=0.001, beta1=0.9, beta2=0.999):
        self.lr, self.beta1, self.beta2, self.iter, self.m, self.v = lr, beta1, beta2, 0, None, None

    def update(self, params, grads):
        if self.m is None:
            self.m = {k: np.zeros_like(v) for k, v in params.items()}
            self.v = {k: np.zeros_like(v) for k, v in params.items()}
        self.iter += 1
        lr_t = self.lr * np.sqrt(1.0 - self.beta2**self.iter) / (1.0 - self.beta1**self.iter)
        for k in params:
            self.m[k] += (1 - self.beta1) * (grads[k] - self.m[k])
            self.v[k] += (1 - self.beta2) * (grads[k] ** 2 - self.v[k])
            params[k] -= (lr_t * self.m[k] / (np.sqrt(self.v[k]) + 1e-7)).astype(DT)


class Dropout:
    """The book's dropout: in training, a fresh mask keeps each element with probability 1 - ratio
    (no rescaling; the book scales by 1 - ratio at test time instead, which a training step never
    reaches)."""

    def __init__(self, rng, ratio=0.5):
        self.rng, self.ratio = rng, ratio

    def forward(self, x):
        self.mask = self.rng.random(x.shape, dtype=DT) > self.ratio
        return x * self.mask

    def backward(self, dout):
        return dout * self.mask


class Net:
    """Layers in order, then the softmax loss. One step is the book's training iteration: forward,
    loss, backward through every layer in reverse, then Adam on the W and b of every layer that has
    them (Convolution and Affine; the optimizer changes the arrays the layers hold in place)."""

    def __init__(self, layers):
        self.layers = layers
        self.learned = [layer for layer in layers if hasattr(layer, "W")]
        self.params = {f"{p}{i + 1}": getattr(layer, p) for i, layer in enumerate(self.learned) for p in "Wb"}
        self.last = SoftmaxWithLoss()
        self.optimizer = Adam()

    def step(self, x, t):
        for layer in self.layers:
            x = layer.forward(x)
        loss = self.last.forward(x, t)
        dout = self.last.backward()
        for layer in reversed(self.layers):
            dout = layer.backward(dout)
        grads = {f"{p}{i + 1}": getattr(layer, "d" + p) for i, layer in enumerate(self.learned) for p in "Wb"}
        self.optimizer.update(self.params, grads)
        return loss


def he(rng, fan_in, shape):
    """He initialisation: N(0, 2 / fan_in), in float32."""
    return (rng.standard_normal(shape) * np.sqrt(2.0 / fan_in)).astype(DT)


def conv_layer(rng, c, f, k, pad=0):
    """A Convolution of f filters k x k over c channels, He-initialised (fan-in c*k*k), zero bias."""
    return Convolution(he(rng, c * k * k, (f, c, k, k)), np.zeros(f, DT), 1, pad)


def affine_layer(rng, n_in, n_out):
    return Affine(he(rng, n_in, (n_in, n_out)), np.zeros(n_out, DT))


def SimpleConvNet(rng):
    """Chapter 7: Conv 30@5x5 -> ReLU -> MaxPool 2x2 -> Affine 100 -> ReLU -> Affine 10, Adam."""
    return Net([
        conv_layer(rng, C, F, K), Relu(), Pooling(2, 2, stride=2),
        affine_layer(rng, F * 12 * 12, 100), Relu(), affine_layer(rng, 100, 10),
    ])


def DeepConvNet(rng):
    """Chapter 8: six 3x3 convolutions (16, 16, 32, 32, 64, 64 filters; pads 1, 1, 1, 2, 1, 1) with
    ReLU and 2x2 max pooling after every second (28 -> 14 -> 8 -> 4), then Affine 50 -> ReLU ->
    Dropout 0.5 -> Affine 10 -> Dropout 0.5; He init, Adam 0.001."""
    layers = []
    c = C
    for i, (f, pad) in enumerate([(16, 1), (16, 1), (32, 1), (32, 2), (64, 1), (64, 1)]):
        layers += [conv_layer(rng, c, f, 3, pad), Relu()]
        if i % 2 == 1:
            layers.append(Pooling(2, 2, stride=2))
        c = f
    layers += [affine_layer(rng, 64 * 4 * 4, 50), Relu(), Dropout(rng), affine_layer(rng, 50, 10), Dropout(rng)]
    return Net(layers)


# --- PyTorch --------------------------------------------------------------------------------


def set_torch_threads(torch):
    """PyTorch's own default thread count (what a user gets), unless ZEROGRAD_BENCH_TORCH_THREADS says."""
    want = os.environ.get("ZEROGRAD_BENCH_TORCH_THREADS")
    if want:
        torch.set_num_threads(int(want))


def torch_deep_conv_net(torch):
    """DeepConvNet as an nn.Sequential, He-initialised (normal, fan-in) like the other sides."""
    nn = torch.nn
    layers = []
    c = C
    for i, (f, pad) in enumerate([(16, 1), (16, 1), (32, 1), (32, 2), (64, 1), (64, 1)]):
        layers += [nn.Conv2d(c, f, 3, padding=pad), nn.ReLU()]
        if i % 2 == 1:
            layers.append(nn.MaxPool2d(2))
        c = f
    layers += [nn.Flatten(), nn.Linear(64 * 4 * 4, 50), nn.ReLU(), nn.Dropout(0.5), nn.Linear(50, 10), nn.Dropout(0.5)]
    net = nn.Sequential(*layers)
    for m in net.modules():
        if isinstance(m, (nn.Conv2d, nn.Linear)):
            nn.init.kaiming_normal_(m.weight, nonlinearity="relu")
            nn.init.zeros_(m.bias)
    return net


def torch_case(case, rng):
    import torch
    import torch.nn.functional as tf

    set_torch_threads(torch)
    x = torch.from_numpy(rng.random((N, C, H, W), dtype=DT))
    if case in ("forward", "conv"):
        w = torch.from_numpy(rng.standard_normal((F, C, K, K)).astype(DT))
        b = torch.from_numpy(rng.standard_normal(F).astype(DT))
        if case == "forward":

            def forward():
                with torch.no_grad():
                    tf.conv2d(x, w, b)

            return forward
        for v in (x, w, b):
            v.requires_grad_()
        gy = torch.from_numpy(rng.standard_normal((N, F, H - K + 1, W - K + 1)).astype(DT))

        def conv():
            x.grad = w.grad = b.grad = None
            tf.conv2d(x, w, b).backward(gy)

        return conv
    t = torch.from_numpy(rng.integers(0, 10, N))
    if case == "deep":
        net = torch_deep_conv_net(torch)
    else:
        net = torch.nn.Sequential(
            torch.nn.Conv2d(C, F, K), torch.nn.ReLU(), torch.nn.MaxPool2d(2), torch.nn.Flatten(),
            torch.nn.Linear(F * 12 * 12, 100), torch.nn.ReLU(), torch.nn.Linear(100, 10),
        )
    net.train()
    opt = torch.optim.Adam(net.parameters(), lr=0.001)

    def step():
        opt.zero_grad()
        tf.cross_entropy(net(x), t).backward()
        opt.step()

    return step


def shared_inputs(request):
    """x, W, b, gy written by zerograd (raw float32, C order), so every side computes the same."""
    d = request["inputs"]
    read = lambda name, shape: np.fromfile(os.path.join(d, name + ".f32"), dtype=np.float32).reshape(shape)
    return read("x", (N, C, H, W)), read("w", (F, C, K, K)), read("b", (F,)), read("gy", (N, F, H - K + 1, W - K + 1))


def checksums(**results):
    """Sums of squares of the results (y, and dx, dW, db after a backward), in float64: what the sides compare."""
    return {k: float(np.sum(np.asarray(v, dtype=np.float64) ** 2)) for k, v in results.items()}


def numpy_check(request):
    x, w, b, gy = shared_inputs(request)
    conv = Convolution(w, b)
    y = conv.forward(x)
    if request["case"] == "forward":
        return checksums(y=y)
    dx = conv.backward(gy)
    return checksums(y=y, dx=dx, dW=conv.dW, db=conv.db)


def torch_check(request):
    import torch
    import torch.nn.functional as tf

    forward_only = request["case"] == "forward"
    x, w, b, gy = (torch.from_numpy(a).requires_grad_(i < 3 and not forward_only) for i, a in enumerate(shared_inputs(request)))
    if forward_only:
        with torch.no_grad():
            return checksums(y=tf.conv2d(x, w, b).numpy())
    y = tf.conv2d(x, w, b)
    y.backward(gy)
    return checksums(y=y.detach().numpy(), dx=x.grad.numpy(), dW=w.grad.numpy(), db=b.grad.numpy())


def numpy_case(case, rng):
    x = rng.random((N, C, H, W), dtype=DT)
    if case in ("forward", "conv"):
        conv = Convolution(rng.standard_normal((F, C, K, K)).astype(DT), rng.standard_normal(F).astype(DT))
        if case == "forward":
            return lambda: conv.forward(x)
        gy = rng.standard_normal((N, F, H - K + 1, W - K + 1)).astype(DT)

        def step():
            conv.forward(x)
            conv.backward(gy)

        return step
    net = DeepConvNet(rng) if case == "deep" else SimpleConvNet(rng)
    t = rng.integers(0, 10, N)
    return lambda: net.step(x, t)


def info():
    from numpy_matmul import info as matmul_info  # the script's own directory is on sys.path

    out = {"numpy": matmul_info()}
    try:
        import torch

        set_torch_threads(torch)
        out["torch"] = {"version": torch.__version__, "threads": torch.get_num_threads()}
    except ImportError as exc:
        out["torch"] = None
        out["torchMissing"] = repr(exc)
    return out


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
                rng = np.random.default_rng(0)
                make = torch_case if request["impl"] == "torch" else numpy_case
                fn = make(request["case"], rng)
                calls = calibrate(fn, int(request.get("warmup", 3)), float(request.get("minSampleSeconds", 0.05)))
                prepared[request["id"]] = (fn, calls)
                reply = {"id": request["id"], "callsPerSample": calls}
                if request.get("inputs"):
                    reply["check"] = (torch_check if request["impl"] == "torch" else numpy_check)(request)
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


if __name__ == "__main__":
    if "--serve" in sys.argv:
        serve()
    else:
        print(json.dumps(info(), indent=2))
