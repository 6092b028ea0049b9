package dev.compresso.sweep;

import dev.compresso.BadInputException;
import dev.compresso.prune.Granularity;
import dev.compresso.ptq.PtqOptions;
import dev.compresso.qat.QatConfig;
import dev.compresso.tflite.convert.IoType;
import dev.compresso.tflite.convert.Precision;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What a sparsity x precision sweep runs. Build with {@link #builder}; validated in {@code build()}.
 *
 * @param model the dense SavedModel
 * @param data fine-tuning and calibration data (a DATA spec)
 * @param testData the data every cell is scored on; empty: a held-out part of {@code data} ({@link SweepData})
 * @param sparsities target sparsities in [0, 1); 0 means the dense model, not pruned
 * @param variants the conversions of every model cell (calibrated ones with their PTQ methods, {@link
 *     Builder#optPtq})
 * @param granularities how pruned cells prune ({@code prune --granularity} spellings); an {@code M:N} one
 *     makes one cell per clustering, at its own sparsity M/N, instead of one per sparsity
 * @param clusters the clusterings of every model cell besides the unclustered one: values per kernel (the
 *     cell clusters after pruning, keeping the zeros of a pruned model); empty: no clustered cells
 * @param epochs fine-tuning epochs per sparsity
 * @param qatEpochs QAT epochs per sparsity (for {@code int8-qat} variants)
 * @param batch fine-tuning batch size
 * @param learningRate pruning fine-tuning learning rate
 * @param qatLearningRate QAT learning rate
 * @param samples test samples validated per cell
 * @param runs timed inferences per latency probe
 * @param warmup untimed inferences before them
 * @param threads the second thread count measured (besides 1)
 * @param preset the preset the grid came from ({@code article}), or empty
 * @param out the sweep folder (reused: finished steps are skipped)
 * @param adaroundIterations optimizer steps per layer of the {@code adaround} PTQ method ({@code
 *     --adaround-iterations}, as {@code convert} takes it)
 */
public record SweepConfig(Path model, String data, String testData, List<Double> sparsities, List<Variant> variants,
    List<String> granularities, List<Integer> clusters, int epochs, int qatEpochs, int batch, double learningRate, double qatLearningRate, int samples, int runs,
    int warmup, int threads, String preset, Path out,
    int adaroundIterations) {

  public static final int EPOCHS_DEFAULT = 2;
  public static final int BATCH_DEFAULT = 8;
  public static final double LEARNING_RATE_DEFAULT = 1e-3;
  public static final double QAT_LEARNING_RATE_DEFAULT = QatConfig.LEARNING_RATE_DEFAULT;
  public static final int SAMPLES_DEFAULT = 100;
  public static final int RUNS_DEFAULT = 50;
  public static final int WARMUP_DEFAULT = 10;
  public static final int THREADS_DEFAULT = 2;

  public SweepConfig {
    sparsities = List.copyOf(sparsities);
    variants = List.copyOf(variants);
    granularities = List.copyOf(granularities);
    clusters = List.copyOf(clusters);
    preset = preset == null ? "" : preset;
    testData = testData == null ? "" : testData;
  }

  public static Builder builder(Path model, String data, Path out) {
    return new Builder(model, data, out);
  }

  /** Folder of one sparsity's cell, e.g. {@code s0.50}. */
  public Path cellDir(double sparsity) {
    return out.resolve(String.format(Locale.ROOT, "s%.2f", sparsity));
  }

  /** Folder of a cell. */
  public Path cellDir(Cell cell) {
    return out.resolve(cell.id());
  }

  /** Whether the scored samples are held out of {@code data} (no {@code --test-data}). */
  public boolean heldOut() {
    return testData.isEmpty();
  }

  /** Whether some variant needs a QAT model. */
  public boolean needsQat() {
    return variants.stream().anyMatch(Variant::qat);
  }

  /** Builder: model, data and out are required; everything else has a default. */
  public static final class Builder {
    private final Path model;
    private final String data;
    private final Path out;
    private String testData;
    private List<Double> sparsities = List.of(0.0, 0.5, 0.8);
    private List<Variant> variants = List.of(new Variant(Precision.FP32, false, IoType.FLOAT),
        new Variant(Precision.FP16, false, IoType.FLOAT), new Variant(Precision.INT8, false, IoType.FLOAT));
    private List<String> granularities = List.of(Cell.UNSTRUCTURED);
    private List<Integer> clusters = List.of();
    private int epochs = EPOCHS_DEFAULT;
    private Integer qatEpochs;
    private int batch = BATCH_DEFAULT;
    private double learningRate = LEARNING_RATE_DEFAULT;
    private double qatLearningRate = QAT_LEARNING_RATE_DEFAULT;
    private int samples = SAMPLES_DEFAULT;
    private int runs = RUNS_DEFAULT;
    private int warmup = WARMUP_DEFAULT;
    private int threads = THREADS_DEFAULT;
    private String preset = "";
    private List<String> ptq;
    private int adaroundIterations = PtqOptions.ADAROUND_ITERATIONS_DEFAULT;

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

    /** Plain precisions with float I/O (int8 calibrated). */
    public Builder optPrecisions(List<Precision> p) {
      List<Variant> v = new ArrayList<>();
      for (Precision precision : p) {
        v.add(new Variant(precision, false, IoType.FLOAT));
      }
      this.variants = v;
      return this;
    }

    public Builder optVariants(List<Variant> v) {
      this.variants = v;
      return this;
    }

    /** Pruning granularities, as {@code prune --granularity} spells them (default unstructured). */
    public Builder optGranularities(List<String> g) {
      this.granularities = g;
      return this;
    }

    /** Clusterings (values per kernel, each at least 2) run besides the unclustered cells (default none). */
    public Builder optClusters(List<Integer> k) {
      this.clusters = k;
      return this;
    }

    public Builder optEpochs(int e) {
      this.epochs = e;
      return this;
    }

    /** QAT epochs (default: the pruning epochs). */
    public Builder optQatEpochs(int e) {
      this.qatEpochs = e;
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

    public Builder optQatLearningRate(double lr) {
      this.qatLearningRate = lr;
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

    public Builder optPreset(String name) {
      this.preset = name;
      return this;
    }

    /**
     * Post-training methods ({@code sweep --ptq}): combinations separated by ',', each methods joined with '+'
     * ({@code none,bias,cle+range+bias}); every calibrated int8 and int16x8 variant is converted once per
     * combination ({@link Variant#cross}), the others once. Default: none (min/max calibration).
     */
    public Builder optPtq(String list) {
      this.ptq = Variant.combinations(list);
      return this;
    }

    /** Optimizer steps per layer for the {@code adaround} method (default {@value PtqOptions#ADAROUND_ITERATIONS_DEFAULT}). */
    public Builder optAdaroundIterations(int n) {
      this.adaroundIterations = n;
      return this;
    }

    public SweepConfig build() {
      if (sparsities.isEmpty() || variants.isEmpty()) {
        throw new BadInputException("a sweep needs at least one sparsity and one precision");
      }
      List<Variant> variants = this.variants;
      if (ptq != null) {
        if (variants.stream().noneMatch(Variant::calibrated) && !ptq.equals(List.of(dev.compresso.ptq.PtqMethods.NONE))) {
          throw new BadInputException("--ptq " + String.join(",", ptq) + " runs on calibrated int8 and int16x8 models, "
              + "and --precisions " + String.join(",", variants.stream().map(Variant::name).toList()) + " has none: "
              + "add int8 or int16x8 to --precisions, or drop --ptq");
        }
        variants = Variant.cross(variants, ptq);
      }
      if (adaroundIterations != PtqOptions.ADAROUND_ITERATIONS_DEFAULT
          && variants.stream().noneMatch(v -> v.ptq().contains("adaround"))) {
        throw new BadInputException("--adaround-iterations is only used with a --ptq combination that has adaround");
      }
      PtqOptions.builder().optAdaroundIterations(adaroundIterations).build();  // checks the range
      for (double s : sparsities) {
        if (!(s >= 0 && s < 1)) {
          throw new BadInputException("--sparsities: " + s + " is outside [0, 1)");
        }
      }
      if (sparsities.stream().map(s -> String.format(Locale.ROOT, "%.2f", s)).distinct().count() != sparsities.size()
          || variants.stream().map(Variant::stem).distinct().count() != variants.size()) {
        throw new BadInputException("--sparsities and --precisions must not repeat a value (sparsities are told "
            + "apart at two decimals): " + sparsities + ", " + variants.stream().map(Variant::stem).toList());
      }
      List<String> spelled = new ArrayList<>();
      for (String g : granularities) {
        spelled.add(Granularity.parse(g).spelling());
      }
      if (spelled.isEmpty() || spelled.stream().distinct().count() != spelled.size()) {
        throw new BadInputException("--granularities must name at least one granularity and none twice: "
            + granularities);
      }
      for (int k : clusters) {
        if (k < 2) {
          throw new BadInputException("--clusters: " + k + " is below 2 (a kernel needs at least 2 shared values)");
        }
      }
      if (clusters.stream().distinct().count() != clusters.size()) {
        throw new BadInputException("--clusters must not repeat a value: " + clusters);
      }
      int qe = qatEpochs == null ? epochs : qatEpochs;
      if (epochs < 0 || qe < 0 || batch < 1 || !(learningRate > 0) || !(qatLearningRate > 0) || samples < 1
          || runs < 1 || warmup < 0 || threads < 1) {
        throw new BadInputException(String.format(Locale.ROOT, "sweep options out of range: epochs %d, QAT epochs %d "
            + "(>= 0), batch %d (>= 1), learning rates %s, %s (> 0), samples %d, runs %d (>= 1), warmup %d (>= 0), "
            + "threads %d (>= 1)", epochs, qe, batch, learningRate, qatLearningRate, samples, runs, warmup, threads));
      }
      return new SweepConfig(model, data, testData, sparsities, variants,
          spelled, clusters, epochs, qe,
          batch, learningRate, qatLearningRate, samples, runs, warmup, threads, preset, out,
          adaroundIterations);
    }
  }
}
