"""Keras side of TrainStepBenchmark: times train_on_batch on the architecture of Compresso's bundled UNet.

Builds zoo/UNet.java's UNet in Keras (128x128x1; per level two 3x3 conv+ReLU then 2x2 max-pool, filters
16/32/64, bottleneck 128; decoder 2x2 stride-2 Conv2DTranspose, concat with the skip, two 3x3 conv+ReLU;
1x1 conv + sigmoid; "same" padding; 481,745 parameters) and trains it with Adam(1e-3) on focal-Tversky
(alpha 0.7, beta 0.3, gamma 0.75, smooth 1, as train/loss/FocalTversky.java) on random shapes.

Protocol (so the Java benchmark can interleave rounds with its own): the script warms up, prints
{"ready": ...} on stdout, then for every line "round STEPS" on stdin runs STEPS train_on_batch calls and
prints one JSON line {"ms": [wall ms per step], "cpu_ms": [process CPU ms per step]}; "quit" (or end of input) ends it. Run alone with
--standalone ROUNDS STEPS it prints one summary JSON document instead.

Outside the Maven build; needs TensorFlow 2.x with Keras (e.g. /work/pyenv/bin/python).
"""
import argparse
import json
import os
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np
import tensorflow as tf
import keras
from keras import layers


def unet(size=128, channels=1, base=16, depth=3):
    init = keras.initializers.HeNormal(seed=1)
    inp = keras.Input((size, size, channels), name="image")
    x = inp
    skips = []
    f = base
    for _ in range(depth):
        x = layers.Conv2D(f, 3, padding="same", activation="relu", kernel_initializer=init)(x)
        x = layers.Conv2D(f, 3, padding="same", activation="relu", kernel_initializer=init)(x)
        skips.append(x)
        x = layers.MaxPooling2D(2)(x)
        f *= 2
    x = layers.Conv2D(f, 3, padding="same", activation="relu", kernel_initializer=init)(x)
    x = layers.Conv2D(f, 3, padding="same", activation="relu", kernel_initializer=init)(x)
    for level in reversed(range(depth)):
        f //= 2
        x = layers.Conv2DTranspose(f, 2, strides=2, padding="same", kernel_initializer=init)(x)
        x = layers.Concatenate()([x, skips[level]])
        x = layers.Conv2D(f, 3, padding="same", activation="relu", kernel_initializer=init)(x)
        x = layers.Conv2D(f, 3, padding="same", activation="relu", kernel_initializer=init)(x)
    out = layers.Conv2D(1, 1, activation="sigmoid", name="mask", kernel_initializer=init)(x)
    return keras.Model(inp, out)


def focal_tversky(y_true, y_pred, alpha=0.7, beta=0.3, gamma=0.75, smooth=1.0):
    n = tf.shape(y_true)[0]
    t = tf.reshape(y_true, [n, -1])
    p = tf.reshape(y_pred, [n, -1])
    tp = tf.reduce_sum(t * p, 1)
    fn = tf.reduce_sum(t * (1 - p), 1)
    fp = tf.reduce_sum((1 - t) * p, 1)
    ti = (tp + smooth) / (tp + alpha * fn + beta * fp + smooth)
    return tf.reduce_mean(tf.pow(tf.maximum(1 - ti, 1e-7), gamma))


def batch(n, size, rng):
    """Bright discs on a noisy graded background, like data/SyntheticShapes."""
    yy, xx = np.mgrid[0:size, 0:size]
    x = np.empty((n, size, size, 1), np.float32)
    y = np.empty((n, size, size, 1), np.float32)
    for i in range(n):
        cy, cx = rng.integers(16, size - 16, 2)
        r = rng.integers(6, 20)
        m = ((yy - cy) ** 2 + (xx - cx) ** 2 <= r * r).astype(np.float32)
        bg = 0.2 + 0.2 * xx / size + 0.05 * rng.standard_normal((size, size))
        x[i, ..., 0] = np.clip(bg + 0.5 * m, 0, 1)
        y[i, ..., 0] = m
    return x, y


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--warmup", type=int, default=5)
    ap.add_argument("--threads", type=int, default=0, help="intra/inter-op threads (0: TensorFlow's default)")
    ap.add_argument("--standalone", type=int, nargs=2, metavar=("ROUNDS", "STEPS"))
    args = ap.parse_args()
    if args.threads:
        tf.config.threading.set_intra_op_parallelism_threads(args.threads)
        tf.config.threading.set_inter_op_parallelism_threads(args.threads)
    keras.utils.set_random_seed(1)
    model = unet()
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss=focal_tversky)
    x, y = batch(args.batch, 128, np.random.default_rng(1))
    for _ in range(args.warmup):
        model.train_on_batch(x, y)
    info = {"ready": True, "tensorflow": tf.__version__, "keras": keras.__version__,
            "parameters": int(model.count_params()), "batch": args.batch,
            "onednn": os.environ.get("TF_ENABLE_ONEDNN_OPTS", "default")}

    def round_ms(steps):
        wall, cpu = [], []
        for _ in range(steps):
            t0 = time.perf_counter()
            c0 = time.process_time()
            model.train_on_batch(x, y)
            wall.append((time.perf_counter() - t0) * 1000)
            cpu.append((time.process_time() - c0) * 1000)
        return {"ms": wall, "cpu_ms": cpu}

    if args.standalone:
        rounds = [round_ms(args.standalone[1]) for _ in range(args.standalone[0])]
        for key in ("ms", "cpu_ms"):
            v = [m for r in rounds for m in r[key]]
            info[key + "_per_step"] = {"median": float(np.median(v)), "min": float(np.min(v)), "steps": len(v)}
        print(json.dumps(info))
        return
    print(json.dumps(info), flush=True)
    for line in sys.stdin:
        words = line.split()
        if not words or words[0] == "quit":
            break
        print(json.dumps(round_ms(int(words[1]))), flush=True)


if __name__ == "__main__":
    main()
