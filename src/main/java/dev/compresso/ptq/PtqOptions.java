package dev.compresso.ptq;

import dev.compresso.BadInputException;
import java.util.List;

/**
 * Which post-training methods to run and their bounds. Build with {@link #builder()}.
 *
 * @param methods the methods, in application order ({@link PtqMethods#parse})
 * @param adaroundIterations optimizer steps per layer for {@code adaround}
 */
public record PtqOptions(List<PtqMethod> methods, int adaroundIterations) {

  /**
   * The methods {@code convert} runs when {@code --ptq} is not given: none, from the measurements in
   * docs/benchmarks.md (no model there has an int8 metric gap for a method to close).
   */
  public static final String DEFAULT_METHODS = "none";
  /** Steps per layer for {@code adaround} by default (AIMET defaults to 10,000; a few hundred suffice for small layers). */
  public static final int ADAROUND_ITERATIONS_DEFAULT = 500;

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

    /** A {@code --ptq} list ({@link PtqMethods#parse}). */
    public Builder optMethods(String list) {
      this.methods = PtqMethods.parse(list);
      return this;
    }

    public Builder optAdaroundIterations(int iterations) {
      this.adaroundIterations = iterations;
      return this;
    }

    public PtqOptions build() {
      return new PtqOptions(methods, adaroundIterations);
    }
  }
}
