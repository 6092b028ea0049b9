package dev.compresso.bench;

import dev.compresso.BadInputException;
import dev.compresso.tflite.convert.Precision;
import java.nio.file.Path;
import java.util.List;

/**
 * What a sparsity x precision sweep runs. Build with {@link #builder}; validated in {@code build()}.
 *
 * @param model the dense SavedModel
 * @param data fine-tuning and calibration data (a DATA spec)
 * @param testData the data every cell is validated on
 * @param sparsities target sparsities in [0, 1); 0 means the dense model, not pruned
 * @param precisions conversion precisions
 * @param epochs fine-tuning epochs per sparsity
 * @param batch fine-tuning batch size
 * @param learningRate fine-tuning learning rate
 * @param samples test samples validated per cell
 * @param runs timed inferences per latency probe
 * @param warmup untimed inferences before them
 * @param threads the second thread count measured (besides 1)
 * @param out the sweep folder (reused: finished steps are skipped)
 */
public record SweepConfig(Path model, String data, String testData, List<Double> sparsities, List<Precision> precisions,
    int epochs, int batch, double learningRate, int samples, int runs, int warmup, int threads, Path out) {

  public static final int EPOCHS_DEFAULT = 2;
  public static final int BATCH_DEFAULT = 8;
  public static final double LEARNING_RATE_DEFAULT = 1e-3;
  public static final int SAMPLES_DEFAULT = 100;
  public static final int RUNS_DEFAULT = 50;
  public static final int WARMUP_DEFAULT = 10;
  public static final int THREADS_DEFAULT = 2;

  public SweepConfig {
    sparsities = List.copyOf(sparsities);
    precisions = List.copyOf(precisions);
  }

  public static Builder builder(Path model, String data, Path out) {
    return new Builder(model, data, out);
  }

  /** Folder of one sparsity's cells, e.g. {@code s0.50}. */
  public Path cellDir(double sparsity) {
    return out.resolve(String.format("s%.2f", sparsity));
  }

  /** Builder: model, data and out are required; everything else has a default. */
  public static final class Builder {
    private final Path model;
    private final String data;
    private final Path out;
    private String testData;
    private List<Double> sparsities = List.of(0.5, 0.8);
    private List<Precision> precisions = List.of(Precision.FP32, Precision.FP16, Precision.INT8);
    private int epochs = EPOCHS_DEFAULT;
    private int batch = BATCH_DEFAULT;
    private double learningRate = LEARNING_RATE_DEFAULT;
    private int samples = SAMPLES_DEFAULT;
    private int runs = RUNS_DEFAULT;
    private int warmup = WARMUP_DEFAULT;
    private int threads = THREADS_DEFAULT;

    private Builder(Path model, String data, Path out) {
      this.model = model;
      this.data = data;
      this.out = out;
    }

    public Builder optTestData(String spec) {
      this.testData = spec;
      return this;
    }

    public Builder optSparsities(List<Double> s) {
      this.sparsities = s;
      return this;
    }

    public Builder optPrecisions(List<Precision> p) {
      this.precisions = p;
      return this;
    }

    public Builder optEpochs(int e) {
      this.epochs = e;
      return this;
    }

    public Builder optBatch(int b) {
      this.batch = b;
      return this;
    }

    public Builder optLearningRate(double lr) {
      this.learningRate = lr;
      return this;
    }

    public Builder optSamples(int n) {
      this.samples = n;
      return this;
    }

    public Builder optRuns(int n) {
      this.runs = n;
      return this;
    }

    public Builder optWarmup(int n) {
      this.warmup = n;
      return this;
    }

    public Builder optThreads(int t) {
      this.threads = t;
      return this;
    }

    public SweepConfig build() {
      if (sparsities.isEmpty() || precisions.isEmpty()) {
        throw new BadInputException("a sweep needs at least one sparsity and one precision");
      }
      for (double s : sparsities) {
        if (!(s >= 0 && s < 1)) {
          throw new BadInputException("--sparsities: " + s + " is outside [0, 1)");
        }
      }
      if (sparsities.stream().distinct().count() != sparsities.size()
          || precisions.stream().distinct().count() != precisions.size()) {
        throw new BadInputException("--sparsities and --precisions must not repeat a value");
      }
      if (epochs < 0 || batch < 1 || !(learningRate > 0) || samples < 1 || runs < 1 || warmup < 0 || threads < 1) {
        throw new BadInputException(String.format("sweep options out of range: epochs %d (>= 0), batch %d (>= 1), "
            + "learning rate %s (> 0), samples %d, runs %d (>= 1), warmup %d (>= 0), threads %d (>= 1)", epochs,
            batch, learningRate, samples, runs, warmup, threads));
      }
      return new SweepConfig(model, data, testData == null ? data : testData, sparsities, precisions, epochs, batch,
          learningRate, samples, runs, warmup, threads, out);
    }
  }
}
