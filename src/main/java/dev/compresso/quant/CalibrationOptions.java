package dev.compresso.quant;

import dev.compresso.BadInputException;

/**
 * How to calibrate. Build with {@link #builder()}.
 *
 * @param samples how many calibration samples to run (the first ones of the data)
 * @param equalizeConcats whether to equalize the ranges of concat inputs first ({@link ConcatEqualizer})
 * @param hook post-training methods applied after equalization, before FakeQuant insertion ({@link
 *     CalibrationHook#NONE}: plain min/max)
 */
public record CalibrationOptions(int samples, boolean equalizeConcats, CalibrationHook hook) {

  /** TFLite's usual representative-dataset size, and the CLI default. */
  public static final int SAMPLES_DEFAULT = 100;

  public CalibrationOptions {
    if (samples < 1) {
      throw new BadInputException("calibration needs at least 1 sample, got " + samples);
    }
    java.util.Objects.requireNonNull(hook, "hook");
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Defaults: 100 samples, concat equalization on. */
  public static CalibrationOptions defaults() {
    return builder().build();
  }

  /** Builder for {@link CalibrationOptions}. */
  public static final class Builder {
    private int samples = SAMPLES_DEFAULT;
    private boolean equalizeConcats = true;
    private CalibrationHook hook = CalibrationHook.NONE;

    public Builder optSamples(int samples) {
      this.samples = samples;
      return this;
    }

    public Builder optEqualizeConcats(boolean equalize) {
      this.equalizeConcats = equalize;
      return this;
    }

    /** Post-training methods ({@code dev.compresso.ptq}); default {@link CalibrationHook#NONE}. */
    public Builder optHook(CalibrationHook hook) {
      this.hook = hook;
      return this;
    }

    public CalibrationOptions build() {
      return new CalibrationOptions(samples, equalizeConcats, hook);
    }
  }
}
