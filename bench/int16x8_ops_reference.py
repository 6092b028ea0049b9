"""What TensorFlow's own 16x8 converter and interpreter do with layer normalization and gelu (never needed to
build, run or test Compresso). Prints JSON.

    python bench/int16x8_ops_reference.py [NAME=FILE.tflite ...]

1. `ops`: a Dense -> OP -> Dense model per op (exact and tanh gelu, rsqrt, squared_difference, neg, and
   squared_difference written as (a - b) * (a - b)), converted with
   EXPERIMENTAL_TFLITE_BUILTINS_ACTIVATIONS_INT16_WEIGHTS_INT8 (plus TFLITE_BUILTINS, so that an op without
   a 16x8 form may stay float): the op's input type in the file, and whether the interpreter runs it.
2. `fixtures`: the Keras fixtures convnext_block and norms (src/test/resources/fixtures/keras_files),
   calibrated on their reference inputs, against Keras' outputs stored beside them: TensorFlow's int8, its
   strict 16x8 and its 16x8 with float fallback, max and mean absolute error or the error it stops with.
3. Each NAME=FILE.tflite given (e.g. Compresso's int16x8 of a fixture NAME) measured the same way.
"""
import json
import os
import sys

import numpy as np
import tensorflow as tf
import keras

FIXTURES = os.path.join(os.path.dirname(__file__), "..", "src", "test", "resources", "fixtures", "keras_files")
INT16 = tf.lite.OpsSet.EXPERIMENTAL_TFLITE_BUILTINS_ACTIVATIONS_INT16_WEIGHTS_INT8


def convert(model, x, ops):
    c = tf.lite.TFLiteConverter.from_keras_model(model)
    c.optimizations = [tf.lite.Optimize.DEFAULT]
    c.representative_dataset = lambda: ([x[i:i + 1]] for i in range(len(x)))
    c.target_spec.supported_ops = ops
    return c.convert()


def errors(flatbuffer, x, y):
    """max and mean |tflite - y|, builtin kernels (no XNNPACK), sample by sample."""
    it = tf.lite.Interpreter(model_content=flatbuffer,
                             experimental_op_resolver_type=tf.lite.experimental.OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES)
    it.allocate_tensors()
    src, dst = it.get_input_details()[0], it.get_output_details()[0]
    out = []
    for i in range(len(x)):
        it.set_tensor(src["index"], x[i:i + 1])
        it.invoke()
        out.append(it.get_tensor(dst["index"])[0])
    e = np.abs(np.array(out) - y)
    return {"max": round(float(e.max()), 5), "mean": round(float(e.mean()), 6)}


def attempt(fn):
    try:
        return fn()
    except Exception as e:  # the converter's or interpreter's own message is the result
        return {"error": " ".join(str(e).split())[:200]}


def op_types(flatbuffer, names):
    it = tf.lite.Interpreter(model_content=flatbuffer)
    tensors = {t["index"]: t for t in it.get_tensor_details()}
    return {op["op_name"]: tensors[op["inputs"][0]]["dtype"].__name__
            for op in it._get_ops_details() if op["op_name"] in names}


def one_op_model(kind):
    L = keras.layers
    fns = {
        "gelu": lambda t: keras.activations.gelu(t, approximate=False),
        "gelu_tanh": lambda t: keras.activations.gelu(t, approximate=True),
        "rsqrt": lambda t: tf.math.rsqrt(tf.abs(t) + 0.5),
        "squared_difference": lambda t: tf.math.squared_difference(t, tf.reduce_mean(t, axis=-1, keepdims=True)),
        "sub_mul": lambda t: (lambda d: d * d)(t - tf.reduce_mean(t, axis=-1, keepdims=True)),
        "neg": lambda t: -t,
    }
    i = keras.Input((8,), name="x")
    h = L.Lambda(fns[kind], name=kind)(L.Dense(8, name="d")(i))
    return keras.Model(i, L.Dense(4, name="o")(h))


def probe_ops():
    x = np.random.default_rng(0).normal(size=(16, 8)).astype(np.float32)
    out = {}
    names = {"GELU", "RSQRT", "SQUARED_DIFFERENCE", "NEG", "SUB", "MUL", "SQUARE"}
    for kind in ["gelu", "gelu_tanh", "rsqrt", "squared_difference", "sub_mul", "neg"]:
        m = one_op_model(kind)
        y = m.predict(x, verbose=0)
        fb = attempt(lambda: convert(m, x, [INT16, tf.lite.OpsSet.TFLITE_BUILTINS]))
        if isinstance(fb, dict):
            out[kind] = fb
            continue
        out[kind] = {"input_types": op_types(fb, names), **attempt(lambda: errors(fb, x, y))}
    return out


def probe_fixtures():
    out = {}
    for name in ["convnext_block", "norms"]:
        m = keras.saving.load_model(os.path.join(FIXTURES, name + ".keras"))
        z = np.load(os.path.join(FIXTURES, name + ".npz"))
        x, y = z["x"], z["y"]
        row = {"range": round(float(y.max() - y.min()), 4)}
        for label, ops in [("tf_int8", [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]), ("tf_16x8", [INT16]),
                           ("tf_16x8_float_fallback", [INT16, tf.lite.OpsSet.TFLITE_BUILTINS])]:
            fb = attempt(lambda: convert(m, x, ops))
            row[label] = fb if isinstance(fb, dict) else attempt(lambda: errors(fb, x, y))
        out[name] = row
    return out


def measure(files):
    out = {}
    for arg in files:
        name, path = arg.split("=", 1)
        z = np.load(os.path.join(FIXTURES, name + ".npz"))
        with open(path, "rb") as f:
            out[os.path.basename(path)] = attempt(lambda: errors(f.read(), z["x"], z["y"]))
    return out


if __name__ == "__main__":
    print(json.dumps({"tensorflow": tf.__version__, "ops": probe_ops(), "fixtures": probe_fixtures(),
                      "files": measure(sys.argv[1:])}, indent=1))
