package dev.compresso.ptq;

import dev.compresso.quant.RangeTracker;
import java.util.Map;

/**
 * One post-training quantization method (one paper), registered by {@link #name()} in {@link PtqMethods}.
 * It changes the frozen float graph's constants through the {@link PtqContext} and may choose activation
 * ranges; it never writes int8 itself (the official converter does).
 */
public interface PtqMethod {

  /** What one application did. */
  record Outcome(int layers, String detail) {

    /** A method with nothing to do on this model: {@code why} says why it applies to no layer. */
    public static Outcome none(String why) {
      return new Outcome(0, why);
    }
  }

  /** The name {@code --ptq} takes. */
  String name();

  /** One line: what it does and the paper it follows. */
  String description();

  /** The fewest calibration samples it needs to be meaningful. */
  int minSamples();

  /** Rewrites constants of {@code ctx}'s graph. */
  Outcome apply(PtqContext ctx);

  /**
   * The activation range {@code {min, max}} per measured node, or null when the method leaves ranges to
   * min/max calibration (the default).
   */
  default Map<String, float[]> ranges(PtqContext ctx, Map<String, RangeTracker> minMax) {
    return null;
  }
}
