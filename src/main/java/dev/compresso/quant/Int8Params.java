package dev.compresso.quant;

/**
 * TFLite int8 quantization parameters, {@code real = scale * (q - zeroPoint)}, following TFLite's
 * quantization spec (tensorflow.org/lite/performance/quantization_spec): activations asymmetric with
 * {@code q} in [-128, 127] and a range that contains 0; weights symmetric ({@code zeroPoint = 0}) with
 * {@code q} in [-127, 127], per output channel for convolutions.
 *
 * @param scale the step, positive
 * @param zeroPoint the int8 value of 0.0, in [-128, 127]
 */
public record Int8Params(float scale, int zeroPoint) {

  public static final int QMIN = -128;
  public static final int QMAX = 127;

  public Int8Params {
    if (!(scale > 0) || !Float.isFinite(scale)) {
      throw new IllegalArgumentException("int8 scale must be positive and finite, got " + scale);
    }
    if (zeroPoint < QMIN || zeroPoint > QMAX) {
      throw new IllegalArgumentException("int8 zero point must be in [-128, 127], got " + zeroPoint);
    }
  }

  /**
   * Asymmetric activation parameters for {@code [min, max]} as TFLite's {@code ChooseQuantizationParams}
   * ({@code tensorflow/lite/kernels/internal/quantization_util.h}) computes them: the range is widened to
   * contain 0, {@code scale = (max - min) / 255}, the zero point taken from whichever end has the smaller
   * error ({@code |qmin| + |min / scale|} vs {@code |qmax| + |max / scale|}), rounded half away from zero
   * and clamped to [-128, 127]. (TF's FakeQuant nudging can round the other way at an exact half: {@link
   * Nudged#toInt8()} is what a converted FakeQuant range becomes.)
   */
  public static Int8Params asymmetric(float min, float max) {
    checkFinite(min, max);
    double lo = Math.min(min, 0);
    double hi = Math.max(max, 0);
    if (hi - lo == 0) {
      return new Int8Params(1f / 255, 0);
    }
    double scale = (hi - lo) / (QMAX - QMIN);
    double fromMin = QMIN - lo / scale;
    double fromMax = QMAX - hi / scale;
    double fromMinError = Math.abs(QMIN) + Math.abs(lo / scale);
    double fromMaxError = Math.abs(QMAX) + Math.abs(hi / scale);
    double zp = fromMinError < fromMaxError ? fromMin : fromMax;
    long rounded = (long) (zp < 0 ? -Math.floor(-zp + 0.5) : Math.floor(zp + 0.5));
    int zeroPoint = (int) Math.max(QMIN, Math.min(QMAX, rounded));
    return new Int8Params((float) scale, zeroPoint);
  }

  /**
   * Symmetric weight parameters for values within {@code [-absMax, absMax]}: {@code scale = absMax / 127},
   * zero point 0 (TFLite's int8 weight spec; the converter refuses per-channel weights whose zero point
   * is not 0).
   */
  public static Int8Params symmetric(float absMax) {
    checkFinite(absMax, absMax);
    float m = Math.abs(absMax);
    return new Int8Params(m == 0 ? 1f / QMAX : m / QMAX, 0);
  }

  /** {@code clamp(round(real / scale) + zeroPoint)}, rounding halves away from zero as TFLite does. */
  public int quantize(float real) {
    long q = Math.round(Math.abs(real / scale)) * (real < 0 ? -1 : 1) + zeroPoint;
    return (int) Math.max(QMIN, Math.min(QMAX, q));
  }

  /** {@code scale * (q - zeroPoint)}. */
  public float dequantize(int q) {
    return scale * (q - zeroPoint);
  }

  private static void checkFinite(float a, float b) {
    if (!Float.isFinite(a) || !Float.isFinite(b)) {
      throw new IllegalArgumentException("range must be finite, got [" + a + ", " + b + "]");
    }
  }
}
