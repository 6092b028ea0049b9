"""Trained model-family classifiers and their data for the PTQ benchmark (issue 25's must-show table).

The family fixtures in src/test/resources/fixtures/families/ are trained a few steps on noise, so their task
metric means nothing. This script trains the same architectures (imported from that folder's
make_fixtures.py: MobileNetV1 at alpha 0.25's widths, MobileNetV2 at alpha 0.35's, MLPerf Tiny's ResNet-8 at
half width, DS-CNN with 32 channels) plus a logits classifier (Dense output without softmax, compiled with
SparseCategoricalCrossentropy(from_logits=True)) on real data that ships with scikit-learn: the 1,797
handwritten digits of load_digits (8x8, 0..16, 10 classes), scaled to [0, 1] and
  - for the 32x32x3 families: bilinearly resized to 32x32 and repeated over 3 channels;
  - for the DS-CNN (49x10x1 MFCC-shaped input): bilinearly resized to 49 rows x 10 columns, one channel
    (a 2-D feature map with the keyword-spotting net's input shape; no audio is bundled offline);
  - for the logits classifier: resized to 32x32x1.
Splits (stratified, seed 0): 1,197 train / 600 test; calibration is 200 of the training samples (as a user
would calibrate on training data). Labels are integer class ids (npz `y` of shape [N], int32); the .keras
files carry the compile config, so Compresso reads the loss (and whether the output holds logits) from it
and judges accuracy.

Writes OUT/<name>/model.keras and OUT/<name>/{train,calib,test}.npz (x, y) for name in mobilenet_v1,
mobilenet_v2, resnet8, ds_cnn, logits_cnn, and two families beyond the issue's list, mobilenet_v3_small
(hard-swish, squeeze-excite with hard-sigmoid gates) and mbconv_swish_se (swish, sigmoid-gated SE); OUT defaults to target/ptq-families (not committed: a few MB).
CPU, 2 threads; each model trains in well under 3 minutes.

    python3 bench/ptq/make_family_models.py [OUT] [--only NAME,...] [--noise SIGMA]

--noise SIGMA adds Gaussian pixel noise (seeded, fixed per image, clipped to [0, 1]) to every split and writes
OUT/<name>_noisy<SIGMA>/ instead: a harder task with smaller decision margins, where int8 flips more
predictions.
"""
import os
os.environ["TF_ENABLE_ONEDNN_OPTS"] = "0"
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
import importlib.util
import sys
import time

import numpy as np
import tensorflow as tf

tf.config.threading.set_intra_op_parallelism_threads(2)
tf.config.threading.set_inter_op_parallelism_threads(1)
import keras  # noqa: E402
from keras import layers  # noqa: E402
from sklearn.datasets import load_digits  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FAMILIES = os.path.join(ROOT, "src", "test", "resources", "fixtures", "families", "make_fixtures.py")


def families():
    spec = importlib.util.spec_from_file_location("family_fixtures", FAMILIES)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def logits_cnn():
    i = keras.Input((32, 32, 1))
    x = layers.Conv2D(16, 3, padding="same", activation="relu")(i)
    x = layers.MaxPooling2D()(x)
    x = layers.Conv2D(32, 3, padding="same", activation="relu")(x)
    x = layers.MaxPooling2D()(x)
    x = layers.Conv2D(32, 3, padding="same", activation="relu")(x)
    x = layers.GlobalAveragePooling2D()(x)
    x = layers.Dense(32, activation="relu")(x)
    return keras.Model(i, layers.Dense(10)(x), name="logits_cnn")


def resize(x8, h, w, channels):
    img = tf.image.resize(x8[..., None], (h, w), method="bilinear").numpy()
    return np.repeat(img, channels, axis=-1).astype(np.float32)


def main(out, only, noise=0.0):
    fam = families()
    digits = load_digits()
    x8 = (digits.images / 16.0).astype(np.float32)
    suffix = ""
    if noise > 0:
        suffix = f"_noisy{noise:g}"
    y = digits.target.astype(np.int32)
    idx_train, idx_test = train_test_split(np.arange(len(y)), test_size=600, stratify=y, random_state=0)
    calib = idx_train[:200]
    # (builder, input h, w, channels, epochs, from_logits)
    models = {
        "mobilenet_v1": (fam.mobilenet_v1, 32, 32, 3, 40, False),
        "mobilenet_v2": (fam.mobilenet_v2, 32, 32, 3, 40, False),
        "resnet8": (fam.resnet8, 32, 32, 3, 30, False),
        "ds_cnn": (fam.ds_cnn, 49, 10, 1, 30, False),
        "logits_cnn": (logits_cnn, 32, 32, 1, 30, True),
        # beyond the list: the hard-swish / swish + squeeze-excite families
        "mobilenet_v3_small": (fam.mobilenet_v3_small, 32, 32, 3, 40, False),
        "mbconv_swish_se": (fam.mbconv_swish_se, 32, 32, 3, 40, False),
    }
    for name, (build, h, w, c, epochs, from_logits) in models.items():
        if only and name not in only:
            continue
        keras.utils.set_random_seed(0)
        x = resize(x8, h, w, c)
        if noise > 0:
            x = np.clip(x + np.random.default_rng(1).normal(0, noise, x.shape), 0, 1).astype(np.float32)
        d = os.path.join(out, name + suffix)
        os.makedirs(d, exist_ok=True)
        for split, ids in [("train", idx_train), ("calib", calib), ("test", idx_test)]:
            np.savez(os.path.join(d, f"{split}.npz"), x=x[ids], y=y[ids])
        model = build()
        model.compile(optimizer=keras.optimizers.Adam(2e-3),
                      loss=keras.losses.SparseCategoricalCrossentropy(from_logits=from_logits),
                      metrics=["accuracy"])
        t = time.time()
        model.fit(x[idx_train], y[idx_train], batch_size=32, epochs=epochs, verbose=0,
                  callbacks=[keras.callbacks.ReduceLROnPlateau("loss", factor=0.5, patience=3)])
        train_s = time.time() - t
        _, acc = model.evaluate(x[idx_test], y[idx_test], verbose=0)
        model.save(os.path.join(d, "model.keras"))
        print(f"{name}{suffix}: {model.count_params()} params, {epochs} epochs in {train_s:.0f} s, "
              f"held-out accuracy {acc:.4f} on {len(idx_test)}", flush=True)


if __name__ == "__main__":
    args = sys.argv[1:]
    only = None
    if "--only" in args:
        k = args.index("--only")
        only = set(args[k + 1].split(","))
        del args[k:k + 2]
    sigma = 0.0
    if "--noise" in args:
        k = args.index("--noise")
        sigma = float(args[k + 1])
        del args[k:k + 2]
    main(args[0] if args else os.path.join(ROOT, "target", "ptq-families"), only, sigma)
