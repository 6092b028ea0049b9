"""TensorFlow's own 16x8 and int8 conversions of a SavedModel, for a side-by-side check of
`compresso convert --precision int16x8` (never needed to build, run or test Compresso).

    compresso validate FP32.tflite --reference MODEL --data CAL --samples 100 --save-predictions cal.npz
    python bench/int16x8_reference.py MODEL cal.npz OUTDIR

writes OUTDIR/tf.int8.tflite and OUTDIR/tf.int16x8.tflite (calibrated on cal.npz's x, float I/O), which
`compresso validate` then measures like Compresso's own files.
"""
import sys

import numpy as np
import tensorflow as tf


def converter_of(model_dir, v1):
    """TF2 SavedModels directly; a TF1 one as TF Java writes it (which TF2's SavedModel V1 import rejects:
    "Failed to prepare to mark initialized variables") through a v1 session, with the batch fixed to 1."""
    if not v1:
        return tf.lite.TFLiteConverter.from_saved_model(model_dir)
    graph = tf.Graph()
    sess = tf.compat.v1.Session(graph=graph)
    with graph.as_default():
        meta = tf.compat.v1.saved_model.loader.load(sess, ["serve"], model_dir)
        sig = meta.signature_def["serving_default"]
        inputs = [graph.get_tensor_by_name(t.name) for t in sig.inputs.values()]
        outputs = [graph.get_tensor_by_name(t.name) for t in sig.outputs.values()]
        for t in inputs:
            t.set_shape([1] + t.shape.as_list()[1:])
        return tf.compat.v1.lite.TFLiteConverter.from_session(sess, inputs, outputs)


def convert(model_dir, calibration, int16, v1):
    converter = converter_of(model_dir, v1)
    converter.optimizations = [tf.lite.Optimize.DEFAULT]

    def representative():
        for x in calibration:
            yield [x[None, ...].astype(np.float32)]

    converter.representative_dataset = representative
    converter.target_spec.supported_ops = [
        tf.lite.OpsSet.EXPERIMENTAL_TFLITE_BUILTINS_ACTIVATIONS_INT16_WEIGHTS_INT8 if int16
        else tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
    return converter.convert()


def main(model_dir, calibration_npz, out):
    x = np.load(calibration_npz)["x"]
    for name, int16 in (("int8", False), ("int16x8", True)):
        path = f"{out}/tf.{name}.tflite"
        try:
            flatbuffer = convert(model_dir, x, int16, v1=False)
        except Exception:  # e.g. a TF1 SavedModel written by TF Java
            flatbuffer = convert(model_dir, x, int16, v1=True)
        with open(path, "wb") as f:
            f.write(flatbuffer)
        print(path, "TensorFlow", tf.__version__)


if __name__ == "__main__":
    main(*sys.argv[1:4])
