package dev.compresso.qat;

import dev.compresso.BadInputException;
import dev.compresso.quant.CalibrationOptions;
import dev.compresso.quant.EmaTracker;
import dev.compresso.train.Adam;
import dev.compresso.train.FitConfig;
import dev.compresso.train.Optimizer;
import dev.compresso.train.loss.Losses;

/**
 * How to run QAT. Build with {@link #builder()}; validated in {@code build()}.
 *
 * @param fit epochs, batch size, seed
 * @param learningRate Adam's learning rate (fine-tuning a trained model: lower than training from scratch)
 * @param loss the training loss's name ({@link Losses})
 * @param calibrationSamples training samples run once to initialize the activation ranges
 * @param emaDecay the decay of the activation ranges' moving averages (tfmot: 0.999)
 * @param sparsityThreshold share of zeros from which a kernel's zeros are held fixed ({@link SparsityMasks})
 * @param equalizeConcats whether to equalize concat input ranges before training (as calibration does)
 */
public record QatConfig(FitConfig fit, float learningRate, String loss, int calibrationSamples, double emaDecay,
    double sparsityThreshold, boolean equalizeConcats) {

  public static final float LEARNING_RATE_DEFAULT = 1e-4f;
  public static final int EPOCHS_DEFAULT = 1;

  public static Builder builder() {
    return new Builder();
  }

  /** The optimizer for one run. */
  public Optimizer newOptimizer() {
    return new Adam(learningRate);
  }

  /** Options for the initial calibration pass. */
  public CalibrationOptions calibration() {
    return CalibrationOptions.builder().optSamples(calibrationSamples).optEqualizeConcats(equalizeConcats).build();
  }

  /** Builder with the defaults above. */
  public static final class Builder {
    private FitConfig fit = FitConfig.builder().optEpochs(EPOCHS_DEFAULT).build();
    private float learningRate = LEARNING_RATE_DEFAULT;
    private String loss = Losses.AUTO;
    private int calibrationSamples = CalibrationOptions.SAMPLES_DEFAULT;
    private double emaDecay = EmaTracker.DECAY_DEFAULT;
    private double sparsityThreshold = SparsityMasks.THRESHOLD_DEFAULT;
    private boolean equalizeConcats = true;

    public Builder optFit(FitConfig fit) {
      this.fit = fit;
      return this;
    }

    public Builder optLearningRate(float learningRate) {
      this.learningRate = learningRate;
      return this;
    }

    public Builder optLoss(String loss) {
      this.loss = loss;
      return this;
    }

    public Builder optCalibrationSamples(int samples) {
      this.calibrationSamples = samples;
      return this;
    }

    public Builder optEmaDecay(double decay) {
      this.emaDecay = decay;
      return this;
    }

    public Builder optSparsityThreshold(double threshold) {
      this.sparsityThreshold = threshold;
      return this;
    }

    public Builder optEqualizeConcats(boolean equalize) {
      this.equalizeConcats = equalize;
      return this;
    }

    public QatConfig build() {
      if (!(learningRate > 0) || Float.isInfinite(learningRate)) {
        throw new BadInputException("--learning-rate must be > 0, got " + learningRate);
      }
      if (calibrationSamples < 1) {
        throw new BadInputException("--calibration-samples must be >= 1, got " + calibrationSamples);
      }
      if (!(emaDecay >= 0 && emaDecay < 1)) {
        throw new BadInputException("--ema-decay must be in [0, 1), got " + emaDecay);
      }
      if (!(sparsityThreshold > 0 && sparsityThreshold <= 1)) {
        throw new BadInputException("sparsity threshold must be in (0, 1], got " + sparsityThreshold);
      }
      Losses.check(loss);
      return new QatConfig(fit, learningRate, loss, calibrationSamples, emaDecay, sparsityThreshold,
          equalizeConcats);
    }
  }
}
