/**
 * Measurement: process memory ({@link dev.compresso.bench.ProcessMemory}), and validation of a .tflite
 * against the SavedModel it came from ({@link dev.compresso.bench.Validator}: loss and metrics, output
 * error, latency, peak RSS, sizes). Latency and peak RSS are measured in child processes
 * ({@link dev.compresso.bench.ModelProbe}, launched by {@link dev.compresso.bench.ChildProbe}), one per
 * model and thread count. The source model is served by TF Java through its signature
 * ({@link dev.compresso.bench.ReferenceModel}), TF1 and TF2/Keras SavedModels alike.
 *
 * <p>Not here: the interpreter itself ({@code tflite}), losses and metrics ({@code train}), reports and
 * plots ({@code report}), the CLI ({@code cli}). The sweep lands here as it comes.
 */
package dev.compresso.bench;
