package dev.compresso.ptq;

import dev.compresso.BadInputException;
import java.util.List;

/**
 * Which post-training methods to run and their bounds. Build with {@link #builder()}.
 *
 * @param methods the methods, in application order ({@link PtqMethods#parse})
 * @param adaroundIterations optimizer steps per layer for {@code adaround}
 * @param byDefault whether these are {@link #DEFAULT_METHODS}, not asked for: with too few calibration samples
 *     they are skipped with a note (min/max ranges) instead of refused
 */
public record PtqOptions(List<PtqMethod> methods, int adaroundIterations, boolean byDefault) {

  /**
   * The methods {@code convert} runs when {@code --ptq} is not given, from the measurements in docs/benchmarks.md:
   * on 13 models {@code range,bias} gave 0.66-1.06x min/max's mean output error (geometric mean 0.92x), never a
   * held-out metric below min/max's beyond noise, in seconds; {@code cle} raised MobileNetV2's error 1.43x and
   * {@code adaround} costs minutes for about the same.
   */
  public static final String DEFAULT_METHODS = "range,bias";
  /** Steps per layer for {@code adaround} by default (AIMET defaults to 10,000; a few hundred suffice for small layers). */
  public static final int ADAROUND_ITERATIONS_DEFAULT = 500;

  public PtqOptions(List<PtqMethod> methods, int adaroundIterations) {
    this(methods, adaroundIterations, false);
  }

  public PtqOptions {
    methods = List.copyOf(methods);
    if (adaroundIterations < 1 || adaroundIterations > 1_000_000) {
      throw new BadInputException("--adaround-iterations must be in [1, 1000000], got " + adaroundIterations);
    }
  }

  /** No method: min/max calibration. */
  public static PtqOptions none() {
    return builder().build();
  }

  /** {@link #DEFAULT_METHODS}, marked as not asked for. */
  public static PtqOptions defaults() {
    return builder().optMethods(DEFAULT_METHODS).optByDefault(true).build();
  }

  /** The same methods, skipped with a note rather than refused when calibration samples are too few. */
  public PtqOptions asDefault() {
    return new PtqOptions(methods, adaroundIterations, true);
  }

  /** The methods of a {@code --ptq} list with default bounds. */
  public static PtqOptions of(String list) {
    return builder().optMethods(list).build();
  }

  public boolean isEmpty() {
    return methods.isEmpty();
  }

  @Override
  public String toString() {
    return PtqMethods.describe(methods);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Builder for {@link PtqOptions}. */
  public static final class Builder {
    private List<PtqMethod> methods = List.of();
    private int adaroundIterations = ADAROUND_ITERATIONS_DEFAULT;
    private boolean byDefault;

    /** A {@code --ptq} list ({@link PtqMethods#parse}). */
    public Builder optMethods(String list) {
      this.methods = PtqMethods.parse(list);
      return this;
    }

    public Builder optAdaroundIterations(int iterations) {
      this.adaroundIterations = iterations;
      return this;
    }

    /** Whether the methods are the default ones, not asked for ({@link PtqOptions#byDefault}). */
    public Builder optByDefault(boolean byDefault) {
      this.byDefault = byDefault;
      return this;
    }

    public PtqOptions build() {
      return new PtqOptions(methods, adaroundIterations, byDefault);
    }
  }
}
