"""Held-out and calibration sets for the PTQ benchmark (dev.compresso.bench.PtqBenchmark).

The generators are copied from /work/shared/fixtures/keras/make_fixtures.py (data_cnn_classifier,
data_unet_bn, data_mixed_ops), which trained the Keras fixtures on seeds SEED + idx; these sets use other
seeds, so no training step saw them. numpy only. Writes NPZ files (x, y) into the folder given (default /tmp/ptq-data);
they are not committed (a few MB each).

    python3 bench/ptq/make_data.py [OUT_DIR]
"""
import os
import sys

import numpy as np


def data_cnn_classifier(rng, n):
    x = rng.uniform(0.0, 1.0, (n, 32, 32, 3)).astype(np.float32)
    q = np.stack([x[:, :16, :16].mean((1, 2, 3)), x[:, :16, 16:].mean((1, 2, 3)),
                  x[:, 16:, :16].mean((1, 2, 3)), x[:, 16:, 16:].mean((1, 2, 3))], 1)
    c = x.mean((1, 2)).argmax(1)
    y = (q.argmax(1) * 3 + c) % 10
    for k in range(n):
        x[k, :, (y[k] * 3):(y[k] * 3 + 2), :] += 0.5
    return np.clip(x, 0, 1).astype(np.float32), y.astype(np.int32)


def data_unet_bn(rng, n):
    yy, xx = np.mgrid[0:64, 0:64]
    x = np.zeros((n, 64, 64, 1), np.float32)
    m = np.zeros((n, 64, 64, 1), np.float32)
    for k in range(n):
        for _ in range(rng.integers(1, 4)):
            cy, cx, r = rng.uniform(8, 56), rng.uniform(8, 56), rng.uniform(4, 12)
            d = (yy - cy) ** 2 + (xx - cx) ** 2 <= r * r
            m[k, d, 0] = 1.0
        x[k, :, :, 0] = 0.25 + 0.5 * m[k, :, :, 0] + rng.normal(0, 0.1, (64, 64))
    return np.clip(x, 0, 1).astype(np.float32), m


def data_mixed_ops(rng, n):
    x = rng.uniform(0.0, 1.0, (n, 48, 48, 3)).astype(np.float32) * 0.8
    y = rng.integers(0, 5, n)
    yy, xx = np.mgrid[0:48, 0:48]
    for k in range(n):
        cy, cx = np.array([(12, 12), (12, 36), (36, 12), (36, 36), (24, 24)][y[k]]) + rng.integers(-4, 5, 2)
        blob = ((yy - cy) ** 2 + (xx - cx) ** 2) < 36
        x[k, blob, :] += 0.3
    noisy = rng.uniform(size=n) < 0.10
    y[noisy] = rng.integers(0, 5, int(noisy.sum()))
    return np.clip(x, 0, 1).astype(np.float32), y.astype(np.int32)


def one_hot(y, k):
    out = np.zeros((len(y), k), np.float32)
    out[np.arange(len(y)), y] = 1
    return out


def main(out):
    os.makedirs(out, exist_ok=True)
    for name, fn, n_cal, n_test, classes in [("cnn_classifier", data_cnn_classifier, 200, 500, 10),
                                             ("unet_bn", data_unet_bn, 200, 200, 0),
                                             ("mixed_ops", data_mixed_ops, 200, 500, 5)]:
        for split, n, seed in [("calib", n_cal, 7001), ("test", n_test, 7002), ("train", 1000, 7003)]:
            x, y = fn(np.random.default_rng(seed + (0 if classes else 100)), n)
            if classes:
                y = one_hot(y, classes)
            np.savez(os.path.join(out, f"{name}_{split}.npz"), x=x, y=y.astype(np.float32))
            print(name, split, x.shape, y.shape)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "/tmp/ptq-data")
