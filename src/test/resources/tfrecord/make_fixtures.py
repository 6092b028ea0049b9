"""Makes the TFRecord fixtures with TensorFlow's own writer (run with /work/pyenv/bin/python).

tiny.tfrecord / tiny.tfrecord.gz: 6 tf.train.Examples with
  x: float_list of 4*4*1 values, x/shape: int64_list [4, 4, 1]
  y: float_list of 4*4*1 0/1 values
  image/encoded: bytes_list with an 8x6 grayscale PNG (tf.io.encode_png)
  mask/encoded: bytes_list with an 8x6 grayscale PNG mask (0 or 255)
  label: int64_list [k]
expected.npz: x [6,4,4,1], y [6,4,4,1] (float32, as stored).
expected_images.npz: x = image / 255 [6,8,6,1], y = mask > 127 [6,8,6,1] (float32), what decoding must give.
label is i % 3.
"""
import numpy as np
import tensorflow as tf

rng = np.random.default_rng(7)
n = 6
x = rng.standard_normal((n, 4, 4, 1)).astype(np.float32)
y = (rng.random((n, 4, 4, 1)) > 0.5).astype(np.float32)
image = rng.integers(0, 256, (n, 8, 6, 1), dtype=np.uint8)
mask = ((rng.random((n, 8, 6, 1)) > 0.5) * 255).astype(np.uint8)
label = np.arange(n, dtype=np.int64) % 3


def example(i):
    f = {
        "x": tf.train.Feature(float_list=tf.train.FloatList(value=x[i].ravel())),
        "x/shape": tf.train.Feature(int64_list=tf.train.Int64List(value=[4, 4, 1])),
        "y": tf.train.Feature(float_list=tf.train.FloatList(value=y[i].ravel())),
        "image/encoded": tf.train.Feature(bytes_list=tf.train.BytesList(value=[tf.io.encode_png(image[i]).numpy()])),
        "mask/encoded": tf.train.Feature(bytes_list=tf.train.BytesList(value=[tf.io.encode_png(mask[i]).numpy()])),
        "label": tf.train.Feature(int64_list=tf.train.Int64List(value=[label[i]])),
    }
    return tf.train.Example(features=tf.train.Features(feature=f)).SerializeToString()


with tf.io.TFRecordWriter("tiny.tfrecord") as w:
    for i in range(n):
        w.write(example(i))
with tf.io.TFRecordWriter("tiny.tfrecord.gz", options="GZIP") as w:
    for i in range(n):
        w.write(example(i))
np.savez("expected.npz", x=x, y=y)
np.savez("expected_images.npz", x=(image / 255.0).astype(np.float32), y=(mask > 127).astype(np.float32))
