package dev.compresso.quant;

/**
 * TensorFlow's FakeQuant arithmetic, exactly as {@code tensorflow/core/kernels/fake_quant_ops_functor.h}
 * does it in float32: {@code Nudge} moves {@code [min, max]} so that 0 is exactly representable, and
 * {@code FakeQuantWithMinMaxVars} clamps to the nudged range and rounds to the nudged grid.
 *
 * <pre>
 * quant_min = narrow_range ? 1 : 0;  quant_max = 2^num_bits - 1
 * scale = (max - min) / (quant_max - quant_min)
 * zero_point_from_min = quant_min - min / scale
 * nudged_zero_point = clamp(std::round(zero_point_from_min), quant_min, quant_max)
 * nudged_min = (quant_min - nudged_zero_point) * scale;  nudged_max = (quant_max - nudged_zero_point) * scale
 * y = floor((clamp(x, nudged_min, nudged_max) - nudged_min) / scale + 0.5) * scale + nudged_min
 * </pre>
 *
 * (Checked against the kernel in TF Java's TF 2.18, which divides by the scale: the same level for every
 * input, values equal up to the last bit or two of Eigen's vectorized float arithmetic.)
 */
public final class FakeQuantMath {

  /** Bits TFLite's int8 uses. */
  public static final int INT8_BITS = 8;

  private FakeQuantMath() {}

  /** The smallest quantized value: 1 with a narrow range (e.g. [1, 255]), else 0. */
  public static int quantMin(int numBits, boolean narrowRange) {
    checkBits(numBits);
    return narrowRange ? 1 : 0;
  }

  /** The largest quantized value, {@code 2^numBits - 1}. */
  public static int quantMax(int numBits) {
    checkBits(numBits);
    return (1 << numBits) - 1;
  }

  /**
   * TF's {@code Nudge}: the range a FakeQuant op with {@code [min, max]} really represents.
   *
   * @throws IllegalArgumentException when {@code min >= max} or either is not finite (TF's kernels
   *     require {@code min < max})
   */
  public static Nudged nudge(float min, float max, int numBits, boolean narrowRange) {
    if (!Float.isFinite(min) || !Float.isFinite(max) || !(min < max)) {
      throw new IllegalArgumentException("FakeQuant range must be finite with min < max, got [" + min + ", "
          + max + "]");
    }
    float quantMinFloat = quantMin(numBits, narrowRange);
    float quantMaxFloat = quantMax(numBits);
    float scale = (max - min) / (quantMaxFloat - quantMinFloat);
    float zeroPointFromMin = quantMinFloat - min / scale;
    int nudgedZeroPoint;
    if (zeroPointFromMin < quantMinFloat) {
      nudgedZeroPoint = (int) quantMinFloat;
    } else if (zeroPointFromMin > quantMaxFloat) {
      nudgedZeroPoint = (int) quantMaxFloat;
    } else {
      nudgedZeroPoint = (int) stdRound(zeroPointFromMin);
    }
    float nudgedMin = (quantMinFloat - nudgedZeroPoint) * scale;
    float nudgedMax = (quantMaxFloat - nudgedZeroPoint) * scale;
    return new Nudged(nudgedMin, nudgedMax, scale, nudgedZeroPoint, (int) quantMinFloat,
        (int) quantMaxFloat);
  }

  /** One value through {@code FakeQuantWithMinMaxVars} with the given nudged range. */
  public static float fakeQuant(float x, Nudged n) {
    float clamped = Math.min(Math.max(x, n.nudgedMin()), n.nudgedMax());
    float shifted = clamped - n.nudgedMin();
    return (float) Math.floor(shifted / n.scale() + 0.5f) * n.scale() + n.nudgedMin();
  }

  /** The narrowest activation range calibration writes, so that a dead (all-zero) tensor still has a grid. */
  public static final float MIN_RANGE_WIDTH = 1e-4f;

  /**
   * A measured activation range made valid for FakeQuant and TFLite: widened to contain 0 (TFLite's int8
   * activations must represent 0 exactly) and to at least {@link #MIN_RANGE_WIDTH}.
   *
   * @return {@code {min, max}}
   */
  public static float[] activationRange(float min, float max) {
    if (!Float.isFinite(min) || !Float.isFinite(max) || min > max) {
      throw new IllegalArgumentException("not a range: [" + min + ", " + max + "]");
    }
    float lo = Math.min(min, 0f);
    float hi = Math.max(max, 0f);
    if (hi - lo < MIN_RANGE_WIDTH) {
      hi = lo + MIN_RANGE_WIDTH;
    }
    return new float[] {lo, hi};
  }

  /**
   * Symmetric per-channel weight bounds {@code m_c} for ranges {@code [-m_c, m_c]} (narrow range, zero
   * point 0, as TFLite's per-channel int8 kernels require). A channel far smaller than the largest (e.g.
   * all zeros) is raised to {@code 1e-3} of it: a near-zero weight scale would overflow the int32 bias
   * ({@code bias / (input_scale * weight_scale)}).
   */
  public static float[] symmetricBounds(float[] channelAbsMax) {
    float largest = 0;
    for (float v : channelAbsMax) {
      if (!Float.isFinite(v)) {
        throw new IllegalArgumentException("non-finite weight bound " + v);
      }
      largest = Math.max(largest, Math.abs(v));
    }
    float floor = Math.max(largest * 1e-3f, 1e-8f);
    float[] out = new float[channelAbsMax.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = Math.max(Math.abs(channelAbsMax[i]), floor);
    }
    return out;
  }

  /** C's {@code std::round} on a float: halves away from zero (Java's Math.round rounds them up). */
  static float stdRound(float v) {
    return v < 0 ? -(float) Math.floor(-v + 0.5f) : (float) Math.floor(v + 0.5f);
  }

  private static void checkBits(int numBits) {
    if (numBits < 2 || numBits > 16) {
      throw new IllegalArgumentException("num_bits must be in [2, 16] (TF's FakeQuant attribute), got " + numBits);
    }
  }
}
