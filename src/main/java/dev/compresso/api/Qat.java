package dev.compresso.api;

import dev.compresso.qat.QatConfig;
import dev.compresso.train.Checkpointing;
import dev.compresso.train.FitConfig;
import java.util.Objects;

/**
 * How {@link CompressoModel#qat} runs quantization-aware training: a builder, validated when the stage starts
 * ({@link #build()}). Defaults are the command line's: 1 epoch, batch 8, Adam at 1e-4, ranges initialized by
 * calibration on 100 training samples and followed with moving averages (decay 0.999), seed 42.
 */
public final class Qat {

  /** Batch size by default (as {@code compresso qat}). */
  public static final int BATCH_DEFAULT = 8;

  private final QatConfig.Builder config;
  private final QatConfig fixed;
  private int epochs = QatConfig.EPOCHS_DEFAULT;
  private int batch = BATCH_DEFAULT;
  private long seed = FitConfig.SEED_DEFAULT;
  private Checkpointing checkpointing;

  private Qat(QatConfig.Builder config, QatConfig fixed) {
    this.config = config;
    this.fixed = fixed;
  }

  /** QAT with the defaults. */
  public static Qat defaults() {
    return new Qat(QatConfig.builder(), null);
  }

  /** QAT for {@code epochs} epochs, other options at their defaults. */
  public static Qat epochs(int epochs) {
    return defaults().withEpochs(epochs);
  }

  /** QAT with every option of an already built configuration (what the command line assembles). */
  public static Qat of(QatConfig config) {
    return new Qat(null, Objects.requireNonNull(config, "config"));
  }

  public Qat withEpochs(int epochs) {
    builder();
    this.epochs = epochs;
    return this;
  }

  public Qat batchSize(int batch) {
    builder();
    this.batch = batch;
    return this;
  }

  public Qat seed(long seed) {
    builder();
    this.seed = seed;
    return this;
  }

  public Qat learningRate(double learningRate) {
    builder().optLearningRate((float) learningRate);
    return this;
  }

  /** Training samples whose ranges initialize the activation ranges. */
  public Qat calibrationSamples(int samples) {
    builder().optCalibrationSamples(samples);
    return this;
  }

  public Qat emaDecay(double decay) {
    builder().optEmaDecay(decay);
    return this;
  }

  public Qat loss(String loss) {
    builder().optLoss(loss);
    return this;
  }

  /** As {@link Pruning#checkpointing}. */
  public Qat checkpointing(Checkpointing checkpointing) {
    this.checkpointing = checkpointing;
    return this;
  }

  /** The validated stage configuration. */
  public QatConfig build() {
    return fixed != null ? fixed
        : config.optFit(FitConfig.builder().optEpochs(epochs).optBatchSize(batch).optSeed(seed).build()).build();
  }

  Checkpointing checkpoint() {
    return checkpointing;
  }

  private QatConfig.Builder builder() {
    if (fixed != null) {
      throw new IllegalStateException("Qat.of(config) takes every option from the config; set them there");
    }
    return config;
  }
}
