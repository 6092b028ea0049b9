package dev.compresso.api;

import dev.compresso.validate.ValidationRequest;
import dev.compresso.tflite.InterpreterOptions;
import java.nio.file.Path;

/**
 * How {@link TfliteFile#validate} measures: latency thread counts, timed and warm-up runs, how many samples
 * are compared, the interpreter's kernels, and where to save both models' predictions. A builder with the
 * command line's defaults ({@code compresso validate}), validated when validation starts.
 */
public final class Validating {

  private int threads = ValidationRequest.THREADS_DEFAULT;
  private int runs = ValidationRequest.RUNS_DEFAULT;
  private int warmup = ValidationRequest.WARMUP_DEFAULT;
  private int samples = ValidationRequest.SAMPLES_DEFAULT;
  private InterpreterOptions.Kernels kernels = InterpreterOptions.Kernels.XNNPACK;
  private Path predictions;

  private Validating() {}

  public static Validating defaults() {
    return new Validating();
  }

  /** Latency is measured at 1 thread and at {@code threads}. */
  public Validating threads(int threads) {
    this.threads = threads;
    return this;
  }

  /** Timed inferences per latency measurement. */
  public Validating runs(int runs) {
    this.runs = runs;
    return this;
  }

  /** Untimed inferences before timing. */
  public Validating warmup(int warmup) {
    this.warmup = warmup;
    return this;
  }

  /** Compare on the first {@code samples} samples. */
  public Validating samples(int samples) {
    this.samples = samples;
    return this;
  }

  public Validating kernels(InterpreterOptions.Kernels kernels) {
    this.kernels = kernels;
    return this;
  }

  /** Also write the compared samples and both models' predictions ({@code x, y, tflite, reference}) as .npz. */
  public Validating predictionsTo(Path npz) {
    this.predictions = npz;
    return this;
  }

  Path predictions() {
    return predictions;
  }

  /** The validated request for these files. */
  ValidationRequest request(Path tflite, Path reference, String data, String signature) {
    return ValidationRequest.builder(tflite, reference, data).optSignature(signature).optThreads(threads)
        .optRuns(runs).optWarmup(warmup).optSamples(samples).optKernels(kernels).build();
  }
}
