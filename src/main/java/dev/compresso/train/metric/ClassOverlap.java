package dev.compresso.train.metric;

import dev.compresso.train.loss.BatchLayout;

/**
 * Per-class overlap of a class map: the label at each position is the arg-max over the last axis (first
 * index on ties, as TensorFlow's {@code ArgMax}) of the targets and of the predictions; per class, the
 * target, predicted and shared position counts. Probabilities and logits give the same map.
 */
final class ClassOverlap {

  private ClassOverlap() {}

  /** Counts per class: {@code [target, predicted, both]}. */
  static long[][] counts(float[] yTrue, float[] yPred, int offset, long[] sampleShape) {
    int classes = sampleShape.length == 0 ? 1 : Math.toIntExact(sampleShape[sampleShape.length - 1]);
    int positions = BatchLayout.elements(sampleShape) / classes;
    long[][] c = new long[classes][3];
    for (int pos = 0; pos < positions; pos++) {
      int base = offset + pos * classes;
      int t = argMax(yTrue, base, classes);
      int p = argMax(yPred, base, classes);
      c[t][0]++;
      c[p][1]++;
      if (t == p) {
        c[t][2]++;
      }
    }
    return c;
  }

  /** One class's score from its counts, or NaN when the class is absent (left out of the mean). */
  interface ClassScore {
    double of(long target, long predicted, long both);
  }

  /** The mean of {@code score} over the classes present in the target or the prediction; 1 when none is. */
  static double meanOverPresent(float[] yTrue, float[] yPred, int offset, long[] sampleShape, ClassScore score) {
    double sum = 0;
    int present = 0;
    for (long[] c : counts(yTrue, yPred, offset, sampleShape)) {
      double v = score.of(c[0], c[1], c[2]);
      if (!Double.isNaN(v)) {
        sum += v;
        present++;
      }
    }
    return present == 0 ? 1.0 : sum / present;
  }

  static int argMax(float[] values, int base, int classes) {
    int best = 0;
    for (int k = 1; k < classes; k++) {
      if (values[base + k] > values[base + best]) {
        best = k;
      }
    }
    return best;
  }
}
