/**
 * Conversion of frozen TensorFlow graphs to TensorFlow Lite with the official MLIR converter that ships
 * inside TF Java's {@code libtensorflow_cc.so.2}: {@link dev.compresso.tflite.convert.Converter} (the
 * library API), the options ({@link dev.compresso.tflite.convert.Precision}, {@link
 * dev.compresso.tflite.convert.IoType}, {@link dev.compresso.tflite.convert.ConversionOptions}), the
 * converter's flag messages built in binary from their field numbers, the JNI bridge ({@code
 * src/main/cpp/tflite_bridge.cpp}) and the worker process that hosts it, and the checks that the
 * output has the asked precision.
 *
 * <p>Not here: freezing a SavedModel ({@code dev.compresso.model.Freezer}), calibration and FakeQuant
 * insertion ({@code quant}), running .tflite files (the interpreter runner in {@code tflite}), and the
 * Edge TPU rules ({@code edgetpu}).
 */
package dev.compresso.tflite.convert;
