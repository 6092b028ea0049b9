package dev.compresso.train.metric;

import dev.compresso.train.loss.BatchLayout;

/**
 * Share of correct labels per sample. With a class axis of 2 or more (the last axis), the label at each
 * position is the arg-max over that axis, first index on ties, as TensorFlow's {@code ArgMax} and Keras'
 * {@code categorical_accuracy}; with a single channel (last axis 1, or a scalar per sample) every value is
 * cut at 0.5 (see {@link Threshold}), as Keras' {@code binary_accuracy}. The reported value is the mean
 * over samples.
 */
public final class Accuracy implements Metric {

  @Override
  public String name() {
    return "accuracy";
  }

  @Override
  public boolean higherIsBetter() {
    return true;
  }

  @Override
  public double sample(float[] yTrue, float[] yPred, int offset, long[] sampleShape) {
    int classes = sampleShape.length == 0 ? 1 : Math.toIntExact(sampleShape[sampleShape.length - 1]);
    int positions = BatchLayout.elements(sampleShape) / classes;
    int correct = 0;
    for (int pos = 0; pos < positions; pos++) {
      int base = offset + pos * classes;
      boolean right = classes == 1
          ? Threshold.positive(yTrue[base]) == Threshold.positive(yPred[base])
          : argMax(yTrue, base, classes) == argMax(yPred, base, classes);
      correct += right ? 1 : 0;
    }
    return (double) correct / positions;
  }

  private static int argMax(float[] values, int base, int classes) {
    int best = 0;
    for (int c = 1; c < classes; c++) {
      if (values[base + c] > values[base + best]) {
        best = c;
      }
    }
    return best;
  }
}
