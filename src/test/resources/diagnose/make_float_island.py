"""Makes float_island/ (a SavedModel) and float_island_int8.tflite: conv -> sin -> conv, converted by
TensorFlow's own converter with post-training int8 and a representative dataset. TFLite has no int8 SIN,
so the official converter leaves it float between the int8 convs (DEQUANTIZE -> SIN -> QUANTIZE), the
"quantized model got slower" pattern. Run with /work/pyenv/bin/python from this folder."""
import numpy as np
import tensorflow as tf

rng = np.random.default_rng(7)
k1 = tf.constant(rng.normal(0, 0.4, (3, 3, 1, 8)).astype(np.float32))
b1 = tf.constant(rng.normal(0, 0.1, (8,)).astype(np.float32))
k2 = tf.constant(rng.normal(0, 0.3, (3, 3, 8, 1)).astype(np.float32))
b2 = tf.constant(rng.normal(0, 0.1, (1,)).astype(np.float32))


class Island(tf.Module):
    def __init__(self):
        super().__init__()
        self.k1, self.b1 = tf.Variable(k1, name="k1"), tf.Variable(b1, name="b1")
        self.k2, self.b2 = tf.Variable(k2, name="k2"), tf.Variable(b2, name="b2")

    @tf.function(input_signature=[tf.TensorSpec([1, 16, 16, 1], tf.float32, name="image")])
    def __call__(self, x):
        y = tf.nn.relu(tf.nn.bias_add(tf.nn.conv2d(x, self.k1, 1, "SAME", name="conv1"), self.b1, name="conv1_bias"),
                       name="conv1_relu")
        y = tf.math.sin(y * 3.0, name="odd_sin")
        y = tf.nn.bias_add(tf.nn.conv2d(y, self.k2, 1, "SAME", name="conv2"), self.b2, name="conv2_bias")
        return {"mask": tf.math.sigmoid(y, name="mask")}


m = Island()
tf.saved_model.save(m, "float_island", signatures={"serving_default": m.__call__})


def rep():
    for _ in range(20):
        yield [rng.uniform(0, 1, (1, 16, 16, 1)).astype(np.float32)]


conv = tf.lite.TFLiteConverter.from_saved_model("float_island")
conv.optimizations = [tf.lite.Optimize.DEFAULT]
conv.representative_dataset = rep
open("float_island_int8.tflite", "wb").write(conv.convert())
