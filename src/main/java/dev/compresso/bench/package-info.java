/**
 * Measurement: process memory ({@link dev.compresso.bench.ProcessMemory}); validation of a .tflite
 * against the SavedModel it came from ({@link dev.compresso.bench.Validator}: loss and metrics, output
 * error, latency, peak RSS, sizes), with latency and peak RSS measured in child processes ({@link
 * dev.compresso.bench.ModelProbe}, launched through {@link dev.compresso.bench.ChildJvm}), one per model
 * and thread count; the source model served by TF Java through its signature ({@link
 * dev.compresso.bench.ReferenceModel}), TF1 and TF2/Keras alike; {@link
 * dev.compresso.bench.ConvertBenchmark} (conversion time, size and latency per precision, one JSON
 * document); the source model measured alone, a sweep's baseline ({@link
 * dev.compresso.bench.SourceMeasurement}); {@link dev.compresso.bench.TrainStepBenchmark} (ms and CPU ms per
 * fine-tuning step, plain, masked and fake-quant, and per prediction batch, in alternating rounds with
 * Keras' own {@code train_on_batch} in a child Python process, {@link dev.compresso.bench.KerasReference}).
 *
 * <p>Not here: the interpreter itself ({@code tflite}), losses and metrics ({@code train}), reports and
 * plots ({@code report}), the sweep ({@code sweep}), the CLI ({@code cli}).
 */
package dev.compresso.bench;
