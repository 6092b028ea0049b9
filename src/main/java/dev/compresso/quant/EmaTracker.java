package dev.compresso.quant;

/**
 * Exponential moving averages of per-channel minima and maxima, as TF's QAT range updates do ({@code
 * tf.contrib.quantize}'s {@code MovingAvgQuantize}, tfmot's {@code MovingAverageQuantizer}): {@code
 * avg = decay * avg + (1 - decay) * batch}, the first batch taken as is.
 */
public final class EmaTracker implements RangeTracker {

  /** The decay tfmot uses for activation ranges. */
  public static final double DECAY_DEFAULT = 0.999;

  private final double decay;
  private float[] min;
  private float[] max;

  public EmaTracker() {
    this(DECAY_DEFAULT);
  }

  /** @param decay in [0, 1): the weight of the running average against the new batch */
  public EmaTracker(double decay) {
    if (!(decay >= 0 && decay < 1)) {
      throw new IllegalArgumentException("EMA decay must be in [0, 1), got " + decay);
    }
    this.decay = decay;
  }

  @Override
  public void update(float[] batchMin, float[] batchMax) {
    RangeTracker.check(batchMin, batchMax, min == null ? -1 : min.length);
    if (min == null) {
      min = batchMin.clone();
      max = batchMax.clone();
      return;
    }
    for (int i = 0; i < min.length; i++) {
      min[i] = (float) (decay * min[i] + (1 - decay) * batchMin[i]);
      max[i] = (float) (decay * max[i] + (1 - decay) * batchMax[i]);
    }
  }

  @Override
  public boolean hasData() {
    return min != null;
  }

  @Override
  public float[] channelMin() {
    if (min == null) {
      throw new IllegalStateException("no batch was tracked");
    }
    return min.clone();
  }

  @Override
  public float[] channelMax() {
    if (max == null) {
      throw new IllegalStateException("no batch was tracked");
    }
    return max.clone();
  }

  public double decay() {
    return decay;
  }
}
