package dev.compresso.train.loss;

/**
 * {@code log_softmax} of one row of logits in double, shifted by the row's maximum so that no exponential
 * overflows ({@code tf.nn.log_softmax}'s math: {@code z - max - log(sum(exp(z - max)))}).
 */
public final class LogSoftmax {

  private LogSoftmax() {}

  /** Writes {@code log_softmax(values[base .. base + n))} into {@code into[0 .. n)}. */
  public static void of(float[] values, int base, int n, double[] into) {
    double max = Double.NEGATIVE_INFINITY;
    for (int c = 0; c < n; c++) {
      max = Math.max(max, values[base + c]);
    }
    double sum = 0;
    for (int c = 0; c < n; c++) {
      sum += Math.exp(values[base + c] - max);
    }
    double log = Math.log(sum);
    for (int c = 0; c < n; c++) {
      into[c] = values[base + c] - max - log;
    }
  }
}
