package dev.compresso.validate;

import dev.compresso.BadInputException;
import dev.compresso.tflite.InterpreterOptions;
import java.nio.file.Path;

/**
 * What {@link Validator#validate} measures: a .tflite against the SavedModel it came from, on data.
 *
 * @param tflite the .tflite file
 * @param reference the SavedModel directory (TF1 or TF2/Keras), served through {@code signature}
 * @param data the data spec ({@link dev.compresso.data.DataSources#open})
 * @param signature the reference's signature key
 * @param threads the second thread count latency is measured at (the first is always 1)
 * @param runs timed inferences per latency measurement, at least 1
 * @param warmup untimed inferences before them
 * @param samples at most this many samples (the first ones) are compared
 * @param kernels the interpreter's kernels
 */
public record ValidationRequest(Path tflite, Path reference, String data, String signature, int threads, int runs,
    int warmup, int samples, InterpreterOptions.Kernels kernels) {

  public static final String SIGNATURE_DEFAULT = "serving_default";
  public static final int THREADS_DEFAULT = 2;
  public static final int RUNS_DEFAULT = 50;
  public static final int WARMUP_DEFAULT = 10;
  public static final int SAMPLES_DEFAULT = 100;

  public ValidationRequest {
    if (tflite == null || reference == null || data == null) {
      throw new BadInputException("validate needs a .tflite file, a reference SavedModel and data");
    }
    if (threads < 1 || threads > 256) {
      throw new BadInputException("--threads must be between 1 and 256, got " + threads);
    }
    if (runs < 1) {
      throw new BadInputException("--runs must be at least 1, got " + runs);
    }
    if (warmup < 0) {
      throw new BadInputException("--warmup must be 0 or more, got " + warmup);
    }
    if (samples < 1) {
      throw new BadInputException("--samples must be at least 1, got " + samples);
    }
    if (signature == null || signature.isBlank()) {
      throw new BadInputException("the reference signature key must not be empty");
    }
    if (kernels == null) {
      throw new BadInputException("interpreter kernels must be one of BUILTIN, XNNPACK_FLOAT, XNNPACK");
    }
  }

  public static Builder builder(Path tflite, Path reference, String data) {
    return new Builder(tflite, reference, data);
  }

  /** Builds a {@link ValidationRequest}: the three inputs required, the rest optional with defaults. */
  public static final class Builder {
    private final Path tflite;
    private final Path reference;
    private final String data;
    private String signature = SIGNATURE_DEFAULT;
    private int threads = THREADS_DEFAULT;
    private int runs = RUNS_DEFAULT;
    private int warmup = WARMUP_DEFAULT;
    private int samples = SAMPLES_DEFAULT;
    private InterpreterOptions.Kernels kernels = InterpreterOptions.Kernels.XNNPACK;

    private Builder(Path tflite, Path reference, String data) {
      this.tflite = tflite;
      this.reference = reference;
      this.data = data;
    }

    public Builder optSignature(String signature) {
      this.signature = signature;
      return this;
    }

    public Builder optThreads(int threads) {
      this.threads = threads;
      return this;
    }

    public Builder optRuns(int runs) {
      this.runs = runs;
      return this;
    }

    public Builder optWarmup(int warmup) {
      this.warmup = warmup;
      return this;
    }

    public Builder optSamples(int samples) {
      this.samples = samples;
      return this;
    }

    public Builder optKernels(InterpreterOptions.Kernels kernels) {
      this.kernels = kernels;
      return this;
    }

    public ValidationRequest build() {
      return new ValidationRequest(tflite, reference, data, signature, threads, runs, warmup, samples, kernels);
    }
  }
}
