/**
 * Validation, the pipeline's last stage: a .tflite measured against the model it came from on held-out
 * data ({@link dev.compresso.validate.Validator}: task loss and metrics, output error, latency, peak RSS,
 * sizes against the inference weights and the file as given), with latency and peak RSS measured in child
 * processes ({@link dev.compresso.validate.ModelProbe}, launched through {@link
 * dev.compresso.validate.ChildJvm}), one per model and thread count; the source model served by TF Java
 * through its signature ({@link dev.compresso.validate.ReferenceModel}), TF1, TF2/Keras and Keras files
 * alike; the source model measured alone, a sweep's baseline ({@link
 * dev.compresso.validate.SourceMeasurement}); process memory and CPU.
 *
 * <p>Not here: the interpreter itself ({@code tflite}), losses and metrics ({@code train}), reports and
 * plots ({@code report}), benchmarks ({@code bench}), the CLI ({@code cli}).
 */
package dev.compresso.validate;
