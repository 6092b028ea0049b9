/**
 * TensorFlow Lite files and the real TFLite interpreter.
 *
 * <p>Here: {@link dev.compresso.tflite.TfliteModel} reads a .tflite flatbuffer with the schema classes of
 * {@code tensorflow-lite-metadata} and validates every index before anything native sees the bytes;
 * {@link dev.compresso.tflite.TfliteReport} turns a model into the text and JSON of {@code compresso inspect};
 * {@link dev.compresso.tflite.TfliteInterpreter} runs a model in bytedeco's TFLite 2.19 with verified
 * loading, float-in/float-out quantized I/O and the XNNPACK delegate for float and int8
 * ({@link dev.compresso.tflite.InterpreterOptions}); {@link dev.compresso.tflite.TfliteLatency} measures
 * interpreter latency; {@link dev.compresso.tflite.NativeLibraries} loads Compresso's own g++-built
 * libraries (the XNNPACK bridge is {@code src/main/cpp/tflite_xnnpack.cpp}).
 *
 * <p>Not here: converting models to TFLite (the {@code convert} sub-package), Edge TPU rules
 * ({@code dev.compresso.edgetpu}), comparisons against the source model and sweeps
 * ({@code dev.compresso.bench}), and the CLI ({@code dev.compresso.cli}).
 */
package dev.compresso.tflite;
