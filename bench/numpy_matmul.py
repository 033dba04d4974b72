#!/usr/bin/env python3
"""numpy's side of zerograd's matmul benchmark.

Reads a JSON request from argv[1] or, if absent, from stdin:

    {"cases": [{"id": "...", "m": 100, "n": 50, "k": 784,
                "transA": false, "transB": false, "dtype": "float32"}, ...],
     "warmup": 3, "repeats": 9, "minSampleSeconds": 0.02}

and prints one JSON object on stdout:

    {"numpy": "2.x", "blas": {...}, "results": [{"id": ..., "seconds": [...],
     "median": s, "callsPerSample": c, "gflops": g}, ...]}

Operands are stored the way zerograd's gemm would read them (A as k×m when transA, B as n×k
when transB) and multiplied through transposed *views*, so numpy hands BLAS the transpose
flags instead of copying; C is preallocated and written with `out=`, as gemm overwrites C.
Timing matches the TypeScript side (bench/src/timing.ts): warm up, then calibrate how many
calls make one sample last at least minSampleSeconds, then take the median over samples.

With --serve it instead answers JSON requests, one per line on stdin, one JSON line each on
stdout, so the harness can interleave numpy's samples with zerograd's (this machine's speed
drifts over seconds; alternating keeps the two sides under the same conditions):

    {"op": "info"}                                   -> versions, BLAS, environment
    {"op": "prepare", "case": {...}, "warmup": 3, "minSampleSeconds": 0.02}
                                                     -> {"id", "callsPerSample"}
    {"op": "sample", "id": "...", "count": 1}        -> {"id", "seconds": [per-call seconds]}
    {"op": "release", "id": "..."}                   -> frees that case's arrays
    {"op": "cpu"}                                    -> {"seconds": CPU time used, all threads}
"""

import ctypes
import glob
import json
import os
import sys
import time

import numpy as np

from pytiming import calibrate, sample


def blas_info():
    """Which BLAS numpy was built with and, where it can be asked, what it runs as."""
    info = {}
    try:
        cfg = np.show_config(mode="dicts")
        blas = cfg.get("Build Dependencies", {}).get("blas", {})
        info["name"] = blas.get("name")
        info["version"] = blas.get("version")
        info["buildConfig"] = blas.get("openblas configuration")
    except Exception as exc:  # older numpy has no mode="dicts"
        info["error"] = repr(exc)
    info.update(openblas_runtime())
    return info


def openblas_runtime():
    """Ask the OpenBLAS that numpy loaded for its core type and thread count (via ctypes)."""
    base = os.path.dirname(np.__file__)
    candidates = glob.glob(os.path.join(base, "..", "numpy.libs", "*openblas*"))
    candidates += glob.glob(os.path.join(base, ".libs", "*openblas*"))
    for path in candidates:
        try:
            lib = ctypes.CDLL(path)
        except OSError:
            continue
        out = {"library": os.path.basename(path)}
        for key, suffix, restype in (
            ("coreName", "get_corename", ctypes.c_char_p),
            ("runtimeConfig", "get_config", ctypes.c_char_p),
            ("threads", "get_num_threads", ctypes.c_int),
        ):
            for prefix in ("openblas_", "scipy_openblas_"):
                for tail in ("", "64_", "_64_"):
                    fn = getattr(lib, prefix + suffix + tail, None)
                    if fn is None:
                        continue
                    fn.restype = restype
                    value = fn()
                    out[key] = value.decode() if isinstance(value, bytes) else value
                    break
                if key in out:
                    break
        return out
    return {}


def operands(case, rng):
    m, n, k = case["m"], case["n"], case["k"]
    dtype = np.float32 if case["dtype"] == "float32" else np.float64
    a = rng.standard_normal((k, m) if case["transA"] else (m, k)).astype(dtype)
    b = rng.standard_normal((n, k) if case["transB"] else (k, n)).astype(dtype)
    c = np.empty((m, n), dtype=dtype)
    return (a.T if case["transA"] else a), (b.T if case["transB"] else b), c




def gflops(case, seconds):
    return 2.0 * case["m"] * case["n"] * case["k"] / seconds / 1e9 if seconds > 0 else None


def info():
    return {
        "numpy": np.__version__,
        "python": sys.version.split()[0],
        "blas": blas_info(),
        "env": {
            key: os.environ.get(key)
            for key in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS")
        },
    }


def one_shot(raw):
    request = json.loads(raw)
    warmup = int(request.get("warmup", 3))
    repeats = int(request.get("repeats", 9))
    min_sample = float(request.get("minSampleSeconds", 0.02))
    rng = np.random.default_rng(12345)
    results = []
    for case in request["cases"]:
        a, b, c = operands(case, rng)
        fn = lambda: np.matmul(a, b, out=c)  # noqa: E731
        calls = calibrate(fn, warmup, min_sample)
        samples = [sample(fn, calls) for _ in range(repeats)]
        median = sorted(samples)[len(samples) // 2]
        results.append(
            {
                "id": case["id"],
                "seconds": samples,
                "median": median,
                "callsPerSample": calls,
                "gflops": gflops(case, median),
            }
        )
    out = info()
    out["results"] = results
    return out


def serve():
    rng = np.random.default_rng(12345)
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
                case = request["case"]
                a, b, c = operands(case, rng)
                fn = lambda a=a, b=b, c=c: np.matmul(a, b, out=c)  # noqa: E731
                calls = calibrate(fn, int(request.get("warmup", 3)), float(request.get("minSampleSeconds", 0.02)))
                prepared[case["id"]] = (fn, calls)
                reply = {"id": case["id"], "callsPerSample": calls}
            elif op == "sample":
                fn, calls = prepared[request["id"]]
                reply = {"id": request["id"], "seconds": [sample(fn, calls) for _ in range(int(request.get("count", 1)))]}
            elif op == "cpu":
                reply = {"seconds": time.process_time()}
            elif op == "release":
                prepared.pop(request["id"], None)
                reply = {"id": request["id"]}
            else:
                reply = {"error": "unknown op %r" % (op,)}
        except Exception as exc:  # report, keep serving
            reply = {"error": repr(exc)}
        sys.stdout.write(json.dumps(reply) + "\n")
        sys.stdout.flush()


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "--serve":
        serve()
        return
    raw = sys.argv[1] if len(sys.argv) > 1 else sys.stdin.read()
    json.dump(one_shot(raw), sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
