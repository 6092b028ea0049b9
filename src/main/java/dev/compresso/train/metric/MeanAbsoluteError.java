package dev.compresso.train.metric;

import dev.compresso.train.loss.BatchLayout;

/**
 * Mean absolute error, as Keras' {@code mean_absolute_error}: per sample the mean of {@code |t - p|} over
 * every value; the reported value is the mean over samples.
 */
public final class MeanAbsoluteError implements Metric {

  @Override
  public String name() {
    return "mae";
  }

  @Override
  public boolean higherIsBetter() {
    return false;
  }

  @Override
  public double sample(float[] yTrue, float[] yPred, int offset, long[] sampleShape) {
    int n = BatchLayout.elements(sampleShape);
    double sum = 0;
    for (int i = offset; i < offset + n; i++) {
      sum += Math.abs((double) yTrue[i] - yPred[i]);
    }
    return sum / n;
  }
}
