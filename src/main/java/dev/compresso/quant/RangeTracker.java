package dev.compresso.quant;

/**
 * Tracks the range of one tensor over calibration or training batches, per channel (the last
 * dimension); the tensor's range is the hull over channels. Implementations: {@link MinMaxTracker}
 * (post-training calibration), {@link EmaTracker} (QAT's moving averages).
 */
public interface RangeTracker {

  /**
   * Folds in one batch's per-channel minima and maxima.
   *
   * @throws IllegalArgumentException when the channel count differs from earlier batches or a value is
   *     NaN or infinite
   */
  void update(float[] batchMin, float[] batchMax);

  /** Whether any batch was seen. */
  boolean hasData();

  /** Per-channel minima (copies). */
  float[] channelMin();

  /** Per-channel maxima (copies). */
  float[] channelMax();

  /** The minimum over channels. */
  default float min() {
    float m = Float.POSITIVE_INFINITY;
    for (float v : channelMin()) {
      m = Math.min(m, v);
    }
    return m;
  }

  /** The maximum over channels. */
  default float max() {
    float m = Float.NEGATIVE_INFINITY;
    for (float v : channelMax()) {
      m = Math.max(m, v);
    }
    return m;
  }

  /** Checks one batch's arrays (same length, finite values). */
  static void check(float[] batchMin, float[] batchMax, int channels) {
    if (batchMin.length != batchMax.length || (channels >= 0 && batchMin.length != channels)) {
      throw new IllegalArgumentException("range tracker expects " + (channels >= 0 ? channels : batchMin.length)
          + " channels, got min of " + batchMin.length + " and max of " + batchMax.length);
    }
    for (int i = 0; i < batchMin.length; i++) {
      if (!Float.isFinite(batchMin[i]) || !Float.isFinite(batchMax[i])) {
        throw new IllegalArgumentException("channel " + i + " has a non-finite range [" + batchMin[i] + ", "
            + batchMax[i] + "]");
      }
    }
  }
}
