package dev.compresso.train;

import dev.compresso.BadInputException;

/**
 * How to fine-tune: epochs, batch size, seed. Build with {@link #builder()}; validated in {@code build()}.
 *
 * @param epochs passes over the training data (0 evaluates only)
 * @param batchSize samples per step; the last, smaller batch of an epoch is dropped so that every step
 *     sees the same shape
 * @param seed seeds the shuffling of every epoch
 */
public record FitConfig(int epochs, int batchSize, long seed) {

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
      return new FitConfig(epochs, batchSize, seed);
    }
  }
}
