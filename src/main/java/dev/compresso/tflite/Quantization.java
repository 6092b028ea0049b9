package dev.compresso.tflite;

import java.util.Arrays;

/**
 * A tensor's quantization parameters as the TFLite schema stores them ({@code QuantizationParameters}):
 * {@code real = scale * (q - zero_point)}, one (scale, zero point) per tensor, or one per slice along
 * {@code quantizedDimension} (per-axis), following TFLite's quantization spec
 * (https://www.tensorflow.org/lite/performance/quantization_spec).
 *
 * @param scales empty when the tensor is not quantized
 * @param zeroPoints as many as {@code scales}, or empty (then zero)
 * @param quantizedDimension the axis of per-axis quantization (meaningful with more than one scale)
 * @param min recorded minimums (calibration), often empty
 * @param max recorded maximums (calibration), often empty
 */
public record Quantization(float[] scales, long[] zeroPoints, int quantizedDimension, float[] min, float[] max) {

  /** No quantization. */
  public static final Quantization NONE = new Quantization(new float[0], new long[0], 0, new float[0], new float[0]);

  public Quantization {
    scales = scales.clone();
    zeroPoints = zeroPoints.clone();
    min = min.clone();
    max = max.clone();
  }

  /** Whether the tensor carries at least one scale. */
  public boolean isQuantized() {
    return scales.length > 0;
  }

  /** Whether there is one scale per slice along {@link #quantizedDimension()}. */
  public boolean isPerAxis() {
    return scales.length > 1;
  }

  /** The single scale of a per-tensor quantized tensor. */
  public float scale() {
    return scales.length == 0 ? 0f : scales[0];
  }

  /** The single zero point of a per-tensor quantized tensor. */
  public long zeroPoint() {
    return zeroPoints.length == 0 ? 0L : zeroPoints[0];
  }

  @Override
  public float[] scales() {
    return scales.clone();
  }

  @Override
  public long[] zeroPoints() {
    return zeroPoints.clone();
  }

  @Override
  public float[] min() {
    return min.clone();
  }

  @Override
  public float[] max() {
    return max.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Quantization q && Arrays.equals(scales, q.scales) && Arrays.equals(zeroPoints, q.zeroPoints)
        && quantizedDimension == q.quantizedDimension && Arrays.equals(min, q.min) && Arrays.equals(max, q.max);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(scales) + Arrays.hashCode(zeroPoints) + quantizedDimension;
  }

  @Override
  public String toString() {
    if (!isQuantized()) {
      return "none";
    }
    if (!isPerAxis()) {
      return "scale=" + scales[0] + " zero_point=" + zeroPoint();
    }
    return "per-axis dim=" + quantizedDimension + " (" + scales.length + " scales, " + Arrays.toString(
        Arrays.copyOf(scales, Math.min(3, scales.length))).replace("]", scales.length > 3 ? ", ...]" : "]") + ")";
  }
}
