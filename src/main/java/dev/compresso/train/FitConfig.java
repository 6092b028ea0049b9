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
 * @param distill distil from the source model ({@link dev.compresso.train.distill.Distiller}); always on when the
 *     data have no targets
 * @param temperature the softening temperature of classifier distillation
 * @param distillWeight the distillation term's share of the loss when the data have labels, in [0, 1]
 */
public record FitConfig(int epochs, int batchSize, long seed, boolean keepBest, double maxMetricDrop,
    boolean distill, double temperature, double distillWeight) {

  public FitConfig(int epochs, int batchSize, long seed) {
    this(epochs, batchSize, seed, true, Double.NaN, false, TEMPERATURE_DEFAULT, DISTILL_WEIGHT_DEFAULT);
  }

  public static final double TEMPERATURE_DEFAULT = 2.0;
  public static final double DISTILL_WEIGHT_DEFAULT = 0.5;

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
    private boolean distill;
    private double temperature = TEMPERATURE_DEFAULT;
    private double distillWeight = DISTILL_WEIGHT_DEFAULT;

    public Builder optDistill(boolean distill) {
      this.distill = distill;
      return this;
    }

    public Builder optTemperature(double temperature) {
      this.temperature = temperature;
      return this;
    }

    public Builder optDistillWeight(double weight) {
      this.distillWeight = weight;
      return this;
    }

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
      if (!(temperature > 0) || !Double.isFinite(temperature)) {
        throw new BadInputException("--temperature must be a finite number > 0, got " + temperature);
      }
      if (!(distillWeight >= 0 && distillWeight <= 1)) {
        throw new BadInputException("--distill-weight must be in [0, 1], got " + distillWeight);
      }
      return new FitConfig(epochs, batchSize, seed, keepBest, maxMetricDrop, distill, temperature, distillWeight);
    }
  }
}
