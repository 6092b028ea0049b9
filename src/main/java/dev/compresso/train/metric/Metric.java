package dev.compresso.train.metric;

import dev.compresso.train.loss.BatchLayout;

/**
 * An evaluation metric, defined per sample and averaged over samples, in plain Java.
 *
 * <p>Shapes as for {@link dev.compresso.train.loss.Loss}: targets and predictions of a batch are
 * {@code [N, ...]}, stored flat and row-major; a sample is everything after the first dimension.
 */
public interface Metric {

  /** The name used in reports and on the command line. */
  String name();

  /** Whether a larger value is a better model (Dice: yes; MAE: no). */
  boolean higherIsBetter();

  /**
   * The metric of one sample of shape {@code sampleShape} (without the batch dimension), whose values
   * are {@code yTrue[offset, offset + elements(sampleShape))}, row-major.
   */
  double sample(float[] yTrue, float[] yPred, int offset, long[] sampleShape);

  /**
   * The mean over samples of a batch of shape {@code shape} ({@code [N, ...]}) stored flat.
   *
   * @throws dev.compresso.BadInputException when the arrays do not hold a batch of that shape
   */
  default double mean(float[] yTrue, float[] yPred, long[] shape) {
    int per = BatchLayout.valuesPerSample(name(), yTrue, yPred, shape);
    long[] sampleShape = BatchLayout.sampleShape(shape);
    double sum = 0;
    for (int s = 0; s < shape[0]; s++) {
      sum += sample(yTrue, yPred, s * per, sampleShape);
    }
    return sum / shape[0];
  }
}
