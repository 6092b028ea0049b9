/**
 * Benchmarks only: commands that print one JSON document with timings, sizes or agreement numbers, never
 * asserted in tests. {@link dev.compresso.bench.ConvertBenchmark} (conversion time, size and latency per
 * precision), {@link dev.compresso.bench.TrainStepBenchmark} (ms and CPU ms per fine-tuning step beside
 * Keras' own {@code train_on_batch}, through {@link dev.compresso.bench.KerasReference}), the streaming,
 * sparse-encoding, interpreter-agreement and PTQ benchmarks, and {@link dev.compresso.bench.FamiliesBenchmark}
 * (the model-family suite: fp32 and int8 against Keras and TensorFlow's own int8, prune → qat → int8).
 *
 * <p>Not here: validation, which every user runs ({@code validate}); the interpreter ({@code tflite}).
 */
package dev.compresso.bench;
