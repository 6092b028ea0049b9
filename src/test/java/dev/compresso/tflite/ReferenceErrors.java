package dev.compresso.tflite;

import dev.compresso.data.Dataset;

/**
 * A .tflite's first output against a dataset whose targets are a reference model's outputs (the Keras
 * fixtures' {@code y}): the worst and the mean absolute difference, and the targets' range, sample by sample
 * in the real interpreter.
 *
 * @param worst the largest absolute difference
 * @param mean the mean absolute difference
 * @param range the targets' max minus min
 */
public record ReferenceErrors(double worst, double mean, double range) {

  public static ReferenceErrors of(byte[] tflite, Dataset reference, String name) {
    float lo = Float.POSITIVE_INFINITY;
    float hi = Float.NEGATIVE_INFINITY;
    for (float y : reference.targets()) {
      lo = Math.min(lo, y);
      hi = Math.max(hi, y);
    }
    int per = reference.targets().length / reference.size();
    double worst = 0;
    double sum = 0;
    try (TfliteInterpreter it = TfliteInterpreter.open(TfliteModel.fromBytes(tflite, name), InterpreterOptions.defaults())) {
      for (int s = 0; s < reference.size(); s++) {
        float[] out = it.run(reference.slice(s, s + 1).inputs())[0];
        for (int i = 0; i < per; i++) {
          double d = Math.abs(out[i] - reference.targets()[s * per + i]);
          worst = Math.max(worst, d);
          sum += d;
        }
      }
    }
    return new ReferenceErrors(worst, sum / reference.targets().length, hi - lo);
  }

  /** The worst difference as a share of the targets' range. */
  public double worstShare() {
    return worst / range;
  }

  @Override
  public String toString() {
    return String.format("max |tflite - reference| %.4f (%.1f%% of the output range), mean %.3g", worst,
        100 * worstShare(), mean);
  }
}
