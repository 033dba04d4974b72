"""Timing shared by the bench's Python references (the same method as bench/src/timing.ts)."""

import time


def calibrate(fn, warmup, min_sample):
    """Warm up, then find how many calls make one sample last at least min_sample seconds."""
    for _ in range(warmup):
        fn()
    calls = 1
    while True:
        t0 = time.perf_counter()
        for _ in range(calls):
            fn()
        if time.perf_counter() - t0 >= min_sample or calls >= 1 << 20:
            return calls
        calls *= 2


def sample(fn, calls):
    """Seconds per call, averaged over one sample of `calls` calls."""
    t0 = time.perf_counter()
    for _ in range(calls):
        fn()
    return (time.perf_counter() - t0) / calls
