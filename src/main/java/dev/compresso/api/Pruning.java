package dev.compresso.api;

import dev.compresso.prune.Granularity;
import dev.compresso.prune.PruneConfig;
import dev.compresso.prune.Pruner;
import dev.compresso.train.Checkpointing;
import dev.compresso.train.FitConfig;
import java.util.List;
import java.util.Objects;

/**
 * How {@link CompressoModel#prune} prunes: a builder, validated when the stage starts ({@link #build()}).
 * Defaults are the command line's: polynomial schedule from 0 over 70% of the steps, unstructured
 * magnitude pruning per layer, 2 epochs, batch 8, Adam at 1e-3, focal-Tversky loss, seed 42.
 *
 * <pre>{@code Pruning.toSparsity(0.8).epochs(2).granularity("channel").shrink(true)}</pre>
 */
public final class Pruning {

  /** Fine-tuning epochs by default (as {@code compresso prune}). */
  public static final int EPOCHS_DEFAULT = 2;
  /** Batch size by default. */
  public static final int BATCH_DEFAULT = 8;

  private final PruneConfig.Builder config;
  private final PruneConfig fixed;
  private int epochs = EPOCHS_DEFAULT;
  private int batch = BATCH_DEFAULT;
  private long seed = FitConfig.SEED_DEFAULT;
  private boolean shrink;
  private Checkpointing checkpointing;

  private Pruning(PruneConfig.Builder config, PruneConfig fixed) {
    this.config = config;
    this.fixed = fixed;
  }

  /** Prunes to {@code sparsity} (the share of zeros in every pruned weight), in [0, 1). */
  public static Pruning toSparsity(double sparsity) {
    return new Pruning(PruneConfig.builder(sparsity), null);
  }

  /** Prunes with every option of an already built configuration (what the command line assembles). */
  public static Pruning of(PruneConfig config) {
    return new Pruning(null, Objects.requireNonNull(config, "config"));
  }

  public Pruning epochs(int epochs) {
    checkOpen();
    this.epochs = epochs;
    return this;
  }

  public Pruning batchSize(int batch) {
    checkOpen();
    this.batch = batch;
    return this;
  }

  /** Seeds the 80/10/10 split of {@link CompressoModel#prune(Pruning, dev.compresso.data.Dataset)} and shuffling. */
  public Pruning seed(long seed) {
    checkOpen();
    this.seed = seed;
    return this;
  }

  public Pruning learningRate(double learningRate) {
    builder().optLearningRate((float) learningRate);
    return this;
  }

  /** {@code polynomial} (default) or {@code constant}. */
  public Pruning schedule(String schedule) {
    builder().optSchedule(schedule);
    return this;
  }

  /** {@code unstructured} (default), {@code block:RxC}, {@code channel}, {@code channel:l1|l2} or {@code M:N}. */
  public Pruning granularity(String granularity) {
    builder().optGranularity(Granularity.parse(granularity));
    return this;
  }

  /** One magnitude threshold over all pruned weights instead of one per layer. */
  public Pruning global(boolean global) {
    builder().optGlobal(global);
    return this;
  }

  /**
   * The training loss by name: {@code auto} (the default: from the targets, as {@link
   * dev.compresso.train.metric.TaskKind} infers the task), {@code focal-tversky}, {@code dice}, {@code bce},
   * {@code cce}, {@code mse}.
   */
  public Pruning loss(String loss) {
    builder().optLoss(loss);
    return this;
  }

  /** Weights left dense: variable or node names, regular expressions, or op types. */
  public Pruning ignore(List<String> patterns) {
    builder().optIgnore(patterns);
    return this;
  }

  /** With channel granularity: physically remove the pruned filters (and the matching input channels). */
  public Pruning shrink(boolean shrink) {
    this.shrink = shrink;
    return this;
  }

  /**
   * Checkpoints every epoch and on SIGINT/SIGTERM into {@code checkpointing.dir()}, and continues a
   * checkpointed run when {@code checkpointing.resume()}. {@link CompressoModel#save} deletes the checkpoint
   * once the pruned model is written.
   */
  public Pruning checkpointing(Checkpointing checkpointing) {
    this.checkpointing = checkpointing;
    return this;
  }

  /** The validated stage configuration. */
  public PruneConfig build() {
    PruneConfig c = fixed != null ? fixed
        : config.optFit(FitConfig.builder().optEpochs(epochs).optBatchSize(batch).optSeed(seed).build()).build();
    if (shrink) {
      Pruner.requireShrinkable(c.granularity());
    }
    return c;
  }

  boolean shrinks() {
    return shrink;
  }

  Checkpointing checkpoint() {
    return checkpointing;
  }

  private PruneConfig.Builder builder() {
    checkOpen();
    return config;
  }

  private void checkOpen() {
    if (fixed != null) {
      throw new IllegalStateException("Pruning.of(config) takes every option from the config; set them there");
    }
  }
}
