#!/usr/bin/env python3
"""PyTorch's side of zerograd's checkpoint interop (packages/layers/test/torch-interop.test.ts).

safetensors is read and written by hand here (8-byte little-endian header length, a JSON header,
then the raw little-endian data), because the `safetensors` pip package is not available from
Debian. Everything runs in float64 so both frameworks can be compared to 1e-12.

  torch_interop.py train NET DIR          train NET in PyTorch; write DIR/torch-NET.safetensors
                                          (its state_dict, no metadata: a "foreign" file) and
                                          DIR/torch-NET-io.safetensors (input x, eval-mode logits)
  torch_interop.py predict NET CKPT IO OUT  build NET, check it against CKPT's metadata `modules`,
                                          load_state_dict(strict=True), write OUT with the
                                          eval-mode logits of IO's x and num_batches_tracked
  torch_interop.py dtypes OUT             tensors in F16, BF16, I64, I8, I16, U8 with their exact
                                          widenings (F32 / I32) for the reader's tests
NET is `mlp` (Conv2d, Linear, BatchNorm1d, a square Linear, LayerNorm) or `emb` (Embedding).
"""
import json
import struct
import sys

import torch
from torch import nn

DTYPES = {
    "F64": torch.float64, "F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16,
    "I64": torch.int64, "I32": torch.int32, "I16": torch.int16, "I8": torch.int8, "U8": torch.uint8,
    "BOOL": torch.bool,
}
NAMES = {v: k for k, v in DTYPES.items()}


def write_safetensors(path, tensors, metadata=None):
    header, chunks, offset = {}, [], 0
    if metadata:
        header["__metadata__"] = metadata
    for name, t in tensors.items():
        t = t.detach().contiguous().cpu()
        # Raw bytes through a uint8 view (bf16 has no numpy dtype); x86 is little-endian.
        data = t.reshape(-1).view(torch.uint8).numpy().tobytes() if t.numel() else b""
        header[name] = {"dtype": NAMES[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        chunks.append(data)
        offset += len(data)
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(chunks))


def read_safetensors(path):
    with open(path, "rb") as f:
        raw = f.read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n])
    metadata = header.pop("__metadata__", {})
    out = {}
    for name, e in header.items():
        begin, end = e["data_offsets"]
        data = bytearray(raw[8 + n + begin:8 + n + end])
        t = torch.frombuffer(data, dtype=torch.uint8) if data else torch.empty(0, dtype=torch.uint8)
        out[name] = t.view(DTYPES[e["dtype"]]).reshape(e["shape"]).clone()
    return out, metadata


def build(net):
    if net == "mlp":
        return nn.Sequential(
            nn.Conv2d(1, 2, 3), nn.ReLU(), nn.Flatten(),
            nn.Linear(32, 8), nn.BatchNorm1d(8), nn.ReLU(),
            nn.Linear(8, 8), nn.LayerNorm(8), nn.Linear(8, 3),
        )
    if net == "emb":
        return nn.Sequential(nn.Embedding(10, 4), nn.Flatten(), nn.Linear(12, 12), nn.ReLU(), nn.Linear(12, 3))
    raise SystemExit(f"unknown net {net!r}")


def inputs(net, n, generator):
    if net == "mlp":
        return torch.randn(n, 1, 6, 6, generator=generator)
    return torch.randint(0, 10, (n, 3), generator=generator)


def train(net, out_dir):
    torch.set_default_dtype(torch.float64)
    torch.manual_seed(0)
    g = torch.Generator().manual_seed(1)
    model = build(net)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    model.train()
    for _ in range(20):
        x, t = inputs(net, 16, g), torch.randint(0, 3, (16,), generator=g)
        optimizer.zero_grad()
        nn.functional.cross_entropy(model(x), t).backward()
        optimizer.step()
    model.eval()
    x = inputs(net, 7, g)
    with torch.no_grad():
        logits = model(x)
    write_safetensors(f"{out_dir}/torch-{net}.safetensors", model.state_dict())
    write_safetensors(f"{out_dir}/torch-{net}-io.safetensors", {"x": x, "logits": logits})


def predict(net, ckpt, io, out):
    torch.set_default_dtype(torch.float64)
    model = build(net)
    state, metadata = read_safetensors(ckpt)
    # The metadata zerograd writes describes each module as PyTorch prints it (momentum converted).
    modules = dict(model.named_children())
    for name, text in json.loads(metadata["modules"]).items():
        if repr(modules[name]) != text:
            raise SystemExit(f"module {name}: zerograd describes {text}, PyTorch has {modules[name]!r}")
    model.load_state_dict(state, strict=True)
    model.eval()
    x = read_safetensors(io)[0]["x"]
    if net == "emb":
        x = x.long()
    with torch.no_grad():
        logits = model(x)
    result = {"logits": logits}
    for name, t in state.items():
        if name.endswith("num_batches_tracked"):
            if t.dtype != torch.int64:
                raise SystemExit(f"{name} is {t.dtype}, PyTorch keeps int64")
            result[name] = t
    write_safetensors(out, result)


def dtypes(out):
    g = torch.Generator().manual_seed(2)
    x = torch.randn(64, generator=g, dtype=torch.float64) * 100
    specials = torch.tensor([0.0, -0.0, 1.0, -2.5, 65504.0, 6.1e-5, 6e-8, float("inf"), float("-inf")])
    tensors = {}
    for name, dtype in [("f16", torch.float16), ("bf16", torch.bfloat16)]:
        v = torch.cat([x, specials]).to(dtype)
        tensors[name] = v
        tensors[f"{name}_as_f32"] = v.to(torch.float32)
    # Every 16-bit pattern, so the reader's half and bfloat16 decoding is checked exhaustively.
    every = torch.arange(-(2**15), 2**15, dtype=torch.int32).to(torch.int16)
    for name, dtype in [("f16_all", torch.float16), ("bf16_all", torch.bfloat16)]:
        tensors[name] = every.view(dtype)
        tensors[f"{name}_as_f32"] = every.view(dtype).to(torch.float32)
    ints = {
        "i64": torch.tensor([0, -1, 2**31 - 1, -(2**31), 12345678], dtype=torch.int64),
        "i16": torch.tensor([-32768, 32767, 0, -5], dtype=torch.int16),
        "i8": torch.tensor([-128, 127, 3], dtype=torch.int8),
        "u8": torch.tensor([0, 255, 128], dtype=torch.uint8),
    }
    for name, v in ints.items():
        tensors[name] = v
        tensors[f"{name}_as_i32"] = v.to(torch.int32)
    write_safetensors(out, tensors)


if __name__ == "__main__":
    cmd, *args = sys.argv[1:]
    {"train": train, "predict": predict, "dtypes": dtypes}[cmd](*args)
