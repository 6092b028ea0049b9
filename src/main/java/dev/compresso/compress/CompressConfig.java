package dev.compresso.compress;

import dev.compresso.BadInputException;
import dev.compresso.sweep.Sweep;
import dev.compresso.sweep.SweepConfig;
import dev.compresso.tflite.convert.IoType;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * What one {@code compresso compress} runs. Build with {@link #builder}; validated in {@code build()}.
 *
 * @param model the source SavedModel
 * @param data fine-tuning and calibration data (a DATA spec); a held-out part is split off it for judging
 *     unless {@code testData} is given
 * @param testData the data every candidate is judged on, or null to split DATA
 * @param target where the model runs
 * @param budget the quality the user gives up
 * @param objective what is minimised within the budget
 * @param timeBudget when the search stops starting rounds (null: no limit); the best so far is the output
 * @param workers sweep worker processes per round; also the sparsities probed per bracket round
 * @param training how candidates fine-tune and how DATA is split
 * @param io the Edge TPU model's I/O type (uint8 or int8; the CPU target keeps float I/O)
 * @param samples at most this many held-out samples judge each candidate
 * @param runs timed inferences per latency measurement
 * @param bracketRounds rounds of the sparsity bracket search
 * @param clusters the clusterings tried on the best pruned model (values per kernel); empty: none
 * @param maxSparsity the top of the sparsity bracket (exclusive)
 * @param out the output folder (reused: finished rounds and steps are skipped)
 * @param ptq the post-training method combinations round r1 also converts calibrated int8 with ({@link
 *     dev.compresso.sweep.Variant#ptq}); empty: min/max only
 */
public record CompressConfig(Path model, String data, String testData, Target target, Budget budget, Objective objective,
    Duration timeBudget, int workers, Training training, IoType io, int samples, int runs, int bracketRounds,
    List<Integer> clusters, double maxSparsity, Path out,
    List<String> ptq) {

  public static final int SAMPLES_DEFAULT = 200;
  public static final int RUNS_DEFAULT = 10;
  public static final int BRACKET_ROUNDS_DEFAULT = 3;
  public static final int EPOCHS_DEFAULT = 2;
  public static final double MAX_SPARSITY_DEFAULT = 0.95;

  public CompressConfig {
    clusters = List.copyOf(clusters);
    ptq = List.copyOf(ptq);
  }

  public static Builder builder(Path model, String data, Target target, Budget budget, Path out) {
    return new Builder(model, data, target, budget, out);
  }

  /** Builder: model, data, target, budget and out are required; the rest has defaults. */
  public static final class Builder {
    private final Path model;
    private final String data;
    private final Target target;
    private final Budget budget;
    private final Path out;
    private String testData;
    private Objective objective = Objective.SIZE;
    private Duration timeBudget;
    private int workers = 1;
    private int epochs = EPOCHS_DEFAULT;
    private Integer qatEpochs;
    private int batch = SweepConfig.BATCH_DEFAULT;
    private double learningRate = SweepConfig.LEARNING_RATE_DEFAULT;
    private double qatLearningRate = SweepConfig.QAT_LEARNING_RATE_DEFAULT;
    private double heldOut = Training.HELD_OUT_DEFAULT;
    private long seed = Training.SEED_DEFAULT;
    private IoType io = IoType.UINT8;
    private int samples = SAMPLES_DEFAULT;
    private int runs = RUNS_DEFAULT;
    private int bracketRounds = BRACKET_ROUNDS_DEFAULT;
    private List<Integer> clusters = List.of(16);
    private double maxSparsity = MAX_SPARSITY_DEFAULT;
    private List<String> ptq = Target.PTQ_DEFAULT;

    private Builder(Path model, String data, Target target, Budget budget, Path out) {
      this.model = model;
      this.data = data;
      this.target = target;
      this.budget = budget;
      this.out = out;
    }

    public Builder optTestData(String spec) {
      this.testData = spec;
      return this;
    }

    public Builder optObjective(Objective o) {
      this.objective = o;
      return this;
    }

    public Builder optTimeBudget(Duration d) {
      this.timeBudget = d;
      return this;
    }

    public Builder optWorkers(int n) {
      this.workers = n;
      return this;
    }

    public Builder optEpochs(int e) {
      this.epochs = e;
      return this;
    }

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

    public Builder optSeed(long s) {
      this.seed = s;
      return this;
    }

    public Builder optHeldOut(double fraction) {
      this.heldOut = fraction;
      return this;
    }

    public Builder optIo(IoType t) {
      this.io = t;
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

    public Builder optBracketRounds(int n) {
      this.bracketRounds = n;
      return this;
    }

    public Builder optClusters(List<Integer> k) {
      this.clusters = k;
      return this;
    }

    public Builder optMaxSparsity(double s) {
      this.maxSparsity = s;
      return this;
    }

    /**
     * The PTQ method combinations r1 tries on int8 ({@code compress --ptq}, as {@code sweep --ptq} spells them:
     * {@code bias,range+bias}; {@code none}: min/max only). Default {@link Target#PTQ_DEFAULT}.
     */
    public Builder optPtq(String list) {
      this.ptq = dev.compresso.sweep.Variant.combinations(list).stream()
          .filter(p -> !p.equals(dev.compresso.ptq.PtqMethods.NONE)).toList();
      return this;
    }

    public CompressConfig build() {
      if (workers < 1 || workers > Sweep.MAX_WORKERS) {
        throw new BadInputException("--workers must be between 1 and " + Sweep.MAX_WORKERS + ", got " + workers);
      }
      if (samples < 1 || runs < 1 || bracketRounds < 0) {
        throw new BadInputException("--samples and --runs must be at least 1 and --rounds at least 0; got " + samples
            + ", " + runs + ", " + bracketRounds);
      }
      if (!(maxSparsity > 0 && maxSparsity < 1)) {
        throw new BadInputException("CompressConfig maxSparsity must be in (0, 1), got " + maxSparsity);
      }
      for (int k : clusters) {
        if (k < 2) {
          throw new BadInputException("--clusters: " + k + " is below 2");
        }
      }
      if (timeBudget != null && (timeBudget.isNegative() || timeBudget.isZero())) {
        throw new BadInputException("--time-budget must be positive, got " + timeBudget);
      }
      Training t = new Training(epochs, qatEpochs == null ? epochs : qatEpochs, batch, learningRate, qatLearningRate,
          heldOut, seed, samples);
      return new CompressConfig(model, data, testData, target, budget, objective, timeBudget, workers, t,
          target.io(io), samples, runs, bracketRounds, clusters, maxSparsity, out,
          ptq);
    }
  }

  /** A duration as {@link #parseDuration} reads it: {@code 1h30m}, {@code 100s}, {@code 45m}. */
  public static String describe(Duration d) {
    long s = d.toSeconds();
    StringBuilder b = new StringBuilder();
    if (s >= 3600) {
      b.append(s / 3600).append('h');
    }
    if (s % 3600 >= 60) {
      b.append(s % 3600 / 60).append('m');
    }
    if (s % 60 != 0 || b.length() == 0) {
      b.append(s % 60).append('s');
    }
    return b.toString();
  }

  /**
   * Parses a duration: {@code 45m}, {@code 2h}, {@code 90s}, {@code 1h30m}.
   *
   * @throws BadInputException naming the value
   */
  public static Duration parseDuration(String v) {
    String s = v.strip().toLowerCase(java.util.Locale.ROOT);
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?:(\\d+)h)?(?:(\\d+)m)?(?:(\\d+)s)?").matcher(s);
    if (s.isEmpty() || !m.matches()) {
      throw new BadInputException("--time-budget: '" + v + "' is not a duration such as 45m, 2h, 90s or 1h30m");
    }
    long seconds = 0;
    seconds += m.group(1) == null ? 0 : Long.parseLong(m.group(1)) * 3600;
    seconds += m.group(2) == null ? 0 : Long.parseLong(m.group(2)) * 60;
    seconds += m.group(3) == null ? 0 : Long.parseLong(m.group(3));
    if (seconds == 0) {
      throw new BadInputException("--time-budget: '" + v + "' is no time at all");
    }
    return Duration.ofSeconds(seconds);
  }
}
