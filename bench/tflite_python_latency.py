#!/usr/bin/env python3
"""Times one .tflite with the official Python TFLite interpreter the way Compresso times it in Java
(dev.compresso.validate.LatencyWindows): warm-up calls, then windows of back-to-back invoke() calls, calls
added to a window until it lasts --window-ms; prints one JSON line: median, p10, p90 per call over the windows.

Run by dev.compresso.bench.InterpreterAgreementBenchmark (python from --python or COMPRESSO_PYTHON).
Needs one of ai_edge_litert, tflite_runtime or tensorflow; without any it prints {"available": false, ...}.

usage: tflite_python_latency.py FILE.tflite [--threads 1] [--windows 50] [--warmup 10] [--window-ms 20]
"""
import argparse
import json
import math
import sys
import time


def interpreter_class():
    try:
        from ai_edge_litert.interpreter import Interpreter
        return Interpreter, "ai_edge_litert"
    except ImportError:
        pass
    try:
        from tflite_runtime.interpreter import Interpreter
        return Interpreter, "tflite_runtime"
    except ImportError:
        pass
    try:
        import tensorflow as tf
        return tf.lite.Interpreter, "tensorflow " + tf.__version__
    except ImportError:
        return None, None


def rank(sorted_values, q):
    return sorted_values[max(0, math.ceil(q * len(sorted_values)) - 1)]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("file")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--windows", type=int, default=50)
    p.add_argument("--warmup", type=int, default=10)
    p.add_argument("--window-ms", type=float, default=20.0)
    a = p.parse_args()
    cls, runtime = interpreter_class()
    if cls is None:
        print(json.dumps({"available": False, "reason": sys.executable + " has none of ai_edge_litert, "
                          "tflite_runtime, tensorflow"}))
        return
    import numpy as np
    it = cls(model_path=a.file, num_threads=a.threads)
    it.allocate_tensors()
    rng = np.random.default_rng(42)
    for d in it.get_input_details():
        shape, dtype = d["shape"], d["dtype"]
        if np.issubdtype(dtype, np.floating):
            value = rng.random(shape, dtype=np.float32).astype(dtype)
        else:
            info = np.iinfo(dtype)
            value = rng.integers(info.min, info.max, size=shape, endpoint=True).astype(dtype)
        it.set_tensor(d["index"], value)
    for _ in range(a.warmup):
        it.invoke()
    window = a.window_ms / 1e3
    ms, calls = [], []
    for _ in range(a.windows):
        t0 = time.perf_counter()
        n = 0
        while True:
            it.invoke()
            n += 1
            elapsed = time.perf_counter() - t0
            if elapsed >= window or n >= 100000:
                break
        ms.append(elapsed * 1e3 / n)
        calls.append(n)
    ms.sort()
    calls.sort()
    per_window = calls[len(calls) // 2]
    n = len(ms)
    median = ms[n // 2] if n % 2 else (ms[n // 2 - 1] + ms[n // 2]) / 2
    print(json.dumps({"available": True, "runtime": runtime, "threads": a.threads, "windows": n,
                      "invocations_per_window": per_window, "median_ms": median, "p10_ms": rank(ms, 0.1),
                      "p90_ms": rank(ms, 0.9), "min_ms": ms[0]}))


if __name__ == "__main__":
    main()
