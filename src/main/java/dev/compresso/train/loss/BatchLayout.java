package dev.compresso.train.loss;

import dev.compresso.BadInputException;
import java.util.Arrays;

/**
 * How targets and predictions of a batch lie in flat arrays: shape {@code [N, ...sample]}, row-major, one
 * sample after another. Shared by the plain-Java forms of losses and metrics.
 */
public final class BatchLayout {

  private BatchLayout() {}

  /** The shape of one sample: {@code shape} without its first (batch) dimension. */
  public static long[] sampleShape(long[] shape) {
    return Arrays.copyOfRange(shape, 1, shape.length);
  }

  /** Number of values of a shape; 1 for a scalar. */
  public static int elements(long[] shape) {
    long n = 1;
    for (long d : shape) {
      n = Math.multiplyExact(n, d);
    }
    return Math.toIntExact(n);
  }

  /**
   * Checks that {@code yTrue} and {@code yPred} both hold a batch of {@code shape} ({@code [N, ...]}, every
   * dimension at least 1) and returns the number of values per sample.
   *
   * @throws BadInputException naming {@code who}, the shape and both lengths when they do not fit
   */
  public static int valuesPerSample(String who, float[] yTrue, float[] yPred, long[] shape) {
    if (shape.length == 0 || shape[0] < 1 || Arrays.stream(shape).anyMatch(d -> d < 1)) {
      throw new BadInputException(String.format(
          "%s: batch shape must be [N, ...] with every dimension >= 1, got %s",
          who, Arrays.toString(shape)));
    }
    long expected = 1;
    for (long d : shape) {
      expected *= d;
    }
    if (yTrue.length != expected || yPred.length != expected) {
      throw new BadInputException(String.format(
          "%s: batch shape %s needs %d values, got %d targets and %d predictions",
          who, Arrays.toString(shape), expected, yTrue.length, yPred.length));
    }
    return elements(sampleShape(shape));
  }
}
