package dev.compresso.api;

import dev.compresso.compress.Budget;
import dev.compresso.compress.CompressConfig;
import dev.compresso.compress.Objective;
import dev.compresso.compress.Target;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * How {@link CompressoModel#compress(Compressing, dev.compresso.data.SampleSource)} searches: the budget and
 * the target (required), then the command line's options with its defaults ({@code compresso compress}):
 * objective size, 2 epochs per candidate, 3 sparsity bracket rounds, 16 clusters, 200 held-out samples, 10
 * timed runs, 1 worker, no time budget. A builder, validated when the search starts.
 *
 * <pre>{@code Compressing.within(Budget.maxMetricDrop(0.01), Target.CPU).timeBudget(Duration.ofMinutes(45))}</pre>
 */
public final class Compressing {

  private final Budget budget;
  private final Target target;
  private Objective objective = Objective.SIZE;
  private Duration timeBudget;
  private int workers = 1;
  private int epochs = CompressConfig.EPOCHS_DEFAULT;
  private int rounds = CompressConfig.BRACKET_ROUNDS_DEFAULT;
  private List<Integer> clusters = List.of(16);
  private int samples = CompressConfig.SAMPLES_DEFAULT;
  private int runs = CompressConfig.RUNS_DEFAULT;
  private String ptq = String.join(",", dev.compresso.compress.Target.PTQ_DEFAULT);

  private Compressing(Budget budget, Target target) {
    this.budget = Objects.requireNonNull(budget, "budget");
    this.target = Objects.requireNonNull(target, "target");
  }

  /** A search for the smallest model {@code target} runs within {@code budget}. */
  public static Compressing within(Budget budget, Target target) {
    return new Compressing(budget, target);
  }

  /** What is minimised within the budget (size: gzip bytes; latency: median ms at 1 thread). */
  public Compressing objective(Objective objective) {
    this.objective = Objects.requireNonNull(objective, "objective");
    return this;
  }

  /** Starts no round, and no cell within a round, after this much time; the best so far is the result. */
  public Compressing timeBudget(Duration d) {
    this.timeBudget = d;
    return this;
  }

  /** Worker processes per round (also the sparsities probed per bracket round). */
  public Compressing workers(int n) {
    this.workers = n;
    return this;
  }

  /** Fine-tuning epochs per candidate (QAT too). */
  public Compressing epochs(int n) {
    this.epochs = n;
    return this;
  }

  /** Rounds of the sparsity bracket search. */
  public Compressing rounds(int n) {
    this.rounds = n;
    return this;
  }

  /** The clusterings tried on the best pruned model (values per kernel); none: not tried. */
  public Compressing clusters(List<Integer> k) {
    this.clusters = List.copyOf(k);
    return this;
  }

  /** At most this many held-out samples judge each candidate. */
  public Compressing samples(int n) {
    this.samples = n;
    return this;
  }

  /** Timed inferences per latency measurement. */
  public Compressing runs(int n) {
    this.runs = n;
    return this;
  }

  /**
   * The post-training method combinations calibrated int8 is tried after ({@code compress --ptq}: methods joined
   * with '+', combinations with ','; {@code "none"}: min/max only).
   */
  public Compressing ptq(String combinations) {
    this.ptq = Objects.requireNonNull(combinations, "combinations");
    return this;
  }

  public Budget budget() {
    return budget;
  }

  public Target target() {
    return target;
  }

  /** The search's configuration for {@code model} and the data spec {@code data}, writing into {@code out}. */
  CompressConfig build(Path model, String data, Path out) {
    return CompressConfig.builder(model, data, target, budget, out).optObjective(objective).optTimeBudget(timeBudget)
        .optWorkers(workers).optEpochs(epochs).optBracketRounds(rounds).optClusters(clusters).optSamples(samples)
        .optRuns(runs).optPtq(ptq).build();
  }

  @Override
  public String toString() {
    return "compress to " + target.cliName() + " within " + budget.describe();
  }
}
