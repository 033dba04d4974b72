"""Writes pytorch-mlp.onnx: a small MLP exported by PyTorch, for zerograd's import test.

Run with Debian's PyTorch (python3-torch 1.13):  /usr/bin/python3 scripts/onnx/make-pytorch-mlp.py
It writes pytorch-mlp.onnx next to this script, plus pytorch-mlp.json with an input batch and
PyTorch's own outputs for it. The model covers the ops importOnnx reads from other tools:
Flatten, Gemm (PyTorch's Linear, weight [out, in] with transB=1), BatchNormalization (eval),
Relu, Dropout (eval, removed or passed through), Tanh, Sigmoid, Softmax.
"""
import json
import pathlib

import torch
from torch import nn

here = pathlib.Path(__file__).resolve().parent
torch.manual_seed(0)

model = nn.Sequential(
    nn.Flatten(),            # [N, 2, 6] -> [N, 12]
    nn.Linear(12, 16),
    nn.BatchNorm1d(16),
    nn.ReLU(),
    nn.Dropout(0.2),
    nn.Linear(16, 8),
    nn.Tanh(),
    nn.Linear(8, 8),
    nn.Sigmoid(),
    nn.Linear(8, 4),
    nn.Softmax(dim=1),
)

# A few training-mode passes so BatchNorm's running statistics are not the defaults.
model.train()
with torch.no_grad():
    for _ in range(5):
        model(torch.randn(32, 2, 6) * 2 + 0.5)
model.eval()

x = torch.randn(5, 2, 6)
with torch.no_grad():
    y = model(x)

torch.onnx.export(
    model,
    x,
    str(here / "pytorch-mlp.onnx"),
    input_names=["x"],
    output_names=["probs"],
    dynamic_axes={"x": {0: "batch"}, "probs": {0: "batch"}},
    opset_version=17,
    do_constant_folding=True,
)
(here / "pytorch-mlp.json").write_text(
    json.dumps({"torch": torch.__version__, "x": x.flatten().tolist(), "shape": list(x.shape), "probs": y.flatten().tolist()})
)
print("wrote", here / "pytorch-mlp.onnx", "torch", torch.__version__)
