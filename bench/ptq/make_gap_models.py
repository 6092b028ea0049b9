"""Models where int8 min/max calibration might lose held-out metric, for the PTQ benchmark (issue 25).

The families of make_family_models.py (digits, with batch norm) lose nothing to int8 min/max beyond noise,
so they cannot show a PTQ method closing a gap. These models are built the ways int8 loses accuracy in
practice, each trained once (seed 0) and not tuned to any PTQ method:

  - friedman_mlp: a regression surrogate, scikit-learn's make_friedman1 (10 inputs uniform in [0, 1], 5 of
    them used: y = 10 sin(pi x1 x2) + 20 (x3 - 0.5)^2 + 10 x4 + 5 x5, a deterministic function, noise 0:
    a network standing in for a simulator), MLP 10-128-128-64-1 with unbounded ReLU, no batch norm; output
    resolution matters (the per-tensor int8 output grid of a ~0..30 target) and so does every hidden
    activation's. MSE loss, metric MAE. 4,000 samples: 3,000 train / 1,000 test.
  - tabular_raw: the Keras structured-data recipe, raw features in the model's input and a Normalization
    layer (adapted on the training split) inside it, MLP 30-128-64-4 with ReLU, softmax. The data:
    make_classification (4 classes, 30 features, 12 informative, 6 redundant, 2 clusters per class,
    class_sep 1.0), each feature then given the mean and spread of load_breast_cancer's same-index feature
    (spreads 0.0026 to 569, as in that data set's raw units). The int8 input tensor has one per-tensor scale.
    6,000 samples: 4,500 train / 1,500 test.
  - tabular_logits: a logits classifier (Dense output without softmax, from_logits=True) on
    make_classification (12 classes, 20 features of which 12 informative, class_sep 1.5, standardized),
    MLP 20-256-256-128-12, unbounded ReLU, no batch norm, 60 epochs (wide logits: -68 to 50 on the test
    split, so an int8 step of 0.46; median top-2 margin 14.9).
    6,000 samples: 4,500 train / 1,500 test.
  - dsconv_nobn_noisy0.4: a MobileNetV1-style depthwise-separable net without batch norm (biases, unbounded
    ReLU: depthwise channels free to take very different ranges under one per-tensor activation scale;
    depthwise kernels He-initialized on fan-out, without which it does not train) on digits with Gaussian
    pixel noise sigma 0.4 (make_family_models.py's --noise 0.4 data, 32x32x1). 1,197 train / 600 test.
  - denoise_cnn: a convolutional denoiser (5 ReLU conv layers with one stride-2 and one transposed conv,
    no batch norm, linear 1-channel output): those noisy digits in, the clean 32x32 digit out; MSE loss,
    per-pixel MAE. The same 1,197 / 600 split.

Calibration is 200 of the training samples. Writes OUT/<name>/model.keras and {train,calib,test}.npz (x, y:
float [N, 1] targets for the regression, int32 class ids for the classifiers); OUT defaults to
target/ptq-gap (not committed). CPU, 2 threads; each trains in 20-60 s, denoise_cnn in about 3 minutes.

    python3 bench/ptq/make_gap_models.py [OUT] [--only NAME,...]
"""
import os
os.environ["TF_ENABLE_ONEDNN_OPTS"] = "0"
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
import sys
import time

import numpy as np
import tensorflow as tf

tf.config.threading.set_intra_op_parallelism_threads(2)
tf.config.threading.set_inter_op_parallelism_threads(1)
import keras  # noqa: E402
from keras import layers  # noqa: E402
from sklearn.datasets import load_breast_cancer, load_digits, make_classification, make_friedman1  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def friedman_mlp():
    i = keras.Input((10,))
    x = layers.Dense(128, activation="relu")(i)
    x = layers.Dense(128, activation="relu")(x)
    x = layers.Dense(64, activation="relu")(x)
    return keras.Model(i, layers.Dense(1)(x), name="friedman_mlp")


def dsconv_nobn():
    i = keras.Input((32, 32, 1))
    x = layers.Conv2D(16, 3, strides=2, padding="same", activation="relu")(i)
    for filters, strides in [(32, 1), (64, 2), (64, 1), (128, 2), (128, 1)]:
        x = layers.DepthwiseConv2D(3, strides=strides, padding="same", activation="relu",
                                   depthwise_initializer=keras.initializers.VarianceScaling(2.0, "fan_out"))(x)
        x = layers.Conv2D(filters, 1, activation="relu")(x)
    x = layers.GlobalAveragePooling2D()(x)
    return keras.Model(i, layers.Dense(10, activation="softmax")(x), name="dsconv_nobn")


def tabular_logits():
    i = keras.Input((20,))
    x = layers.Dense(256, activation="relu")(i)
    x = layers.Dense(256, activation="relu")(x)
    x = layers.Dense(128, activation="relu")(x)
    return keras.Model(i, layers.Dense(12)(x), name="tabular_logits")


def tabular_raw(x_train):
    i = keras.Input((30,))
    norm = layers.Normalization()
    norm.adapt(x_train)
    x = layers.Dense(128, activation="relu")(norm(i))
    x = layers.Dense(64, activation="relu")(x)
    return keras.Model(i, layers.Dense(4, activation="softmax")(x), name="tabular_raw")


def denoise_cnn():
    i = keras.Input((32, 32, 1))
    x = layers.Conv2D(32, 3, padding="same", activation="relu")(i)
    x = layers.Conv2D(32, 3, strides=2, padding="same", activation="relu")(x)
    x = layers.Conv2D(64, 3, padding="same", activation="relu")(x)
    x = layers.Conv2DTranspose(32, 3, strides=2, padding="same", activation="relu")(x)
    x = layers.Conv2D(32, 3, padding="same", activation="relu")(x)
    return keras.Model(i, layers.Conv2D(1, 3, padding="same")(x), name="denoise_cnn")


def data(name):
    """(x, y, idx_train, idx_test) of one model."""
    if name == "friedman_mlp":
        x, y = make_friedman1(n_samples=4000, n_features=10, noise=0.0, random_state=0)
        x, y = x.astype(np.float32), y.astype(np.float32)[:, None]
        idx_train, idx_test = train_test_split(np.arange(len(y)), test_size=1000, random_state=0)
        return x, y, idx_train, idx_test
    if name == "denoise_cnn":
        digits = load_digits()
        clean = tf.image.resize((digits.images / 16.0)[..., None], (32, 32), method="bilinear").numpy()
        clean = clean.astype(np.float32)
        x = np.clip(clean + np.random.default_rng(1).normal(0, 0.4, clean.shape), 0, 1).astype(np.float32)
        idx_train, idx_test = train_test_split(np.arange(len(x)), test_size=600, stratify=digits.target,
                                               random_state=0)
        return x, clean, idx_train, idx_test
    if name == "dsconv_nobn_noisy0.4":
        digits = load_digits()
        x8 = (digits.images / 16.0).astype(np.float32)
        x = tf.image.resize(x8[..., None], (32, 32), method="bilinear").numpy().astype(np.float32)
        x = np.clip(x + np.random.default_rng(1).normal(0, 0.4, x.shape), 0, 1).astype(np.float32)
        y = digits.target.astype(np.int32)
        idx_train, idx_test = train_test_split(np.arange(len(y)), test_size=600, stratify=y, random_state=0)
        return x, y, idx_train, idx_test
    if name == "tabular_logits":
        x, y = make_classification(n_samples=6000, n_features=20, n_informative=12, n_redundant=4,
                                   n_classes=12, n_clusters_per_class=1, class_sep=1.5, random_state=0)
        x = ((x - x.mean(0)) / x.std(0)).astype(np.float32)
        y = y.astype(np.int32)
        idx_train, idx_test = train_test_split(np.arange(len(y)), test_size=1500, stratify=y, random_state=0)
        return x, y, idx_train, idx_test
    if name == "tabular_raw":
        x, y = make_classification(n_samples=6000, n_features=30, n_informative=12, n_redundant=6, n_classes=4,
                                   n_clusters_per_class=2, class_sep=1.0, random_state=0)
        # each feature in the units of load_breast_cancer's same-index feature (its mean and spread)
        bc = load_breast_cancer().data
        x = ((x - x.mean(0)) / x.std(0) * bc.std(0) + bc.mean(0)).astype(np.float32)
        y = y.astype(np.int32)
        idx_train, idx_test = train_test_split(np.arange(len(y)), test_size=1500, stratify=y, random_state=0)
        return x, y, idx_train, idx_test
    raise ValueError(name)


# builder, epochs, loss, metric
MODELS = {
    "friedman_mlp": (friedman_mlp, 150, keras.losses.MeanSquaredError(), "mae"),
    "denoise_cnn": (denoise_cnn, 30, keras.losses.MeanSquaredError(), "mae"),
    "dsconv_nobn_noisy0.4": (dsconv_nobn, 40, keras.losses.SparseCategoricalCrossentropy(), "accuracy"),
    "tabular_raw": (tabular_raw, 60, keras.losses.SparseCategoricalCrossentropy(), "accuracy"),
    "tabular_logits": (tabular_logits, 60, keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                       "accuracy"),
}


def main(out, only):
    for name, (build, epochs, loss, metric) in MODELS.items():
        if only and name not in only:
            continue
        keras.utils.set_random_seed(0)
        x, y, idx_train, idx_test = data(name)
        d = os.path.join(out, name)
        os.makedirs(d, exist_ok=True)
        for split, ids in [("train", idx_train), ("calib", idx_train[:200]), ("test", idx_test)]:
            np.savez(os.path.join(d, f"{split}.npz"), x=x[ids], y=y[ids])
        model = build(x[idx_train]) if build is tabular_raw else build()
        model.compile(optimizer=keras.optimizers.Adam(1e-3), loss=loss, metrics=[metric])
        t = time.time()
        model.fit(x[idx_train], y[idx_train], batch_size=32, epochs=epochs, verbose=0,
                  callbacks=[keras.callbacks.ReduceLROnPlateau("loss", factor=0.5, patience=5)])
        train_s = time.time() - t
        _, m = model.evaluate(x[idx_test], y[idx_test], verbose=0)
        model.save(os.path.join(d, "model.keras"))
        print(f"{name}: {model.count_params()} params, {epochs} epochs in {train_s:.0f} s, "
              f"held-out {metric} {m:.4f} on {len(idx_test)}", flush=True)


if __name__ == "__main__":
    args = sys.argv[1:]
    only = None
    if "--only" in args:
        k = args.index("--only")
        only = set(args[k + 1].split(","))
        del args[k:k + 2]
    main(args[0] if args else os.path.join(ROOT, "target", "ptq-gap"), only)
