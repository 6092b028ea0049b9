package dev.compresso.quant;

/**
 * The running minimum and maximum over every batch seen, per channel: TFLite's post-training calibration
 * default ({@code MinMax} calibrator of {@code tensorflow/lite/tools/optimize/calibration}).
 */
public final class MinMaxTracker implements RangeTracker {

  private float[] min;
  private float[] max;

  @Override
  public void update(float[] batchMin, float[] batchMax) {
    RangeTracker.check(batchMin, batchMax, min == null ? -1 : min.length);
    if (min == null) {
      min = batchMin.clone();
      max = batchMax.clone();
      return;
    }
    for (int i = 0; i < min.length; i++) {
      min[i] = Math.min(min[i], batchMin[i]);
      max[i] = Math.max(max[i], batchMax[i]);
    }
  }

  @Override
  public boolean hasData() {
    return min != null;
  }

  @Override
  public float[] channelMin() {
    requireData();
    return min.clone();
  }

  @Override
  public float[] channelMax() {
    requireData();
    return max.clone();
  }

  private void requireData() {
    if (min == null) {
      throw new IllegalStateException("no batch was tracked");
    }
  }

  @Override
  public String toString() {
    return min == null ? "MinMaxTracker[]" : "MinMaxTracker[" + min() + ", " + max() + "; " + min.length
        + " channels]";
  }
}
