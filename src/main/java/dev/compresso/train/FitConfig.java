package dev.compresso.train;

import dev.compresso.BadInputException;

/**
 * How to fine-tune: epochs, batch size, seed, whether to keep the best epoch and how much worse than the
 * source the held-out metric may end before a warning. Build with {@link #builder()}; validated in {@code build()}.
 *
 * @param epochs passes over the training data (0 evaluates only)
 * @param batchSize samples per step; the last, smaller batch of an epoch is dropped so that every step
 *     sees the same shape
 * @param seed seeds the shuffling of every epoch
 * @param keepBest keep the weights of the epoch with the best validation metric ({@link BestEpoch}), not the last
 * @param maxMetricDrop the largest worsening of the held-out metric accepted without a warning; NaN: the task's
 *     default ({@link dev.compresso.train.task.ModelTask#allowedDrop})
 */
public record FitConfig(int epochs, int batchSize, long seed, boolean keepBest, double maxMetricDrop) {

  public FitConfig(int epochs, int batchSize, long seed) {
    this(epochs, batchSize, seed, true, Double.NaN);
  }

  public static final int EPOCHS_DEFAULT = 5;
  public static final int BATCH_SIZE_DEFAULT = 8;
  public static final long SEED_DEFAULT = 42;

  public static Builder builder() {
    return new Builder();
  }

  /** Builder with the defaults above. */
  public static final class Builder {
    private int epochs = EPOCHS_DEFAULT;
    private int batchSize = BATCH_SIZE_DEFAULT;
    private long seed = SEED_DEFAULT;
    private boolean keepBest = true;
    private double maxMetricDrop = Double.NaN;

    public Builder optKeepBest(boolean keepBest) {
      this.keepBest = keepBest;
      return this;
    }

    /** NaN: the task's default. */
    public Builder optMaxMetricDrop(double maxMetricDrop) {
      this.maxMetricDrop = maxMetricDrop;
      return this;
    }

    public Builder optEpochs(int epochs) {
      this.epochs = epochs;
      return this;
    }

    public Builder optBatchSize(int batchSize) {
      this.batchSize = batchSize;
      return this;
    }

    public Builder optSeed(long seed) {
      this.seed = seed;
      return this;
    }

    public FitConfig build() {
      if (epochs < 0) {
        throw new BadInputException("--epochs must be >= 0, got " + epochs);
      }
      if (batchSize <= 0) {
        throw new BadInputException("--batch must be > 0, got " + batchSize);
      }
      if (maxMetricDrop < 0) {
        throw new BadInputException("--max-metric-drop must be >= 0, got " + maxMetricDrop);
      }
      return new FitConfig(epochs, batchSize, seed, keepBest, maxMetricDrop);
    }
  }
}
