package dev.compresso.train.metric;

/** Pixel counts of a pair of hard masks: target positives, predicted positives, and both. */
record MaskCounts(long target, long predicted, long both) {

  static MaskCounts of(float[] yTrue, float[] yPred, int offset, int length) {
    long target = 0;
    long predicted = 0;
    long both = 0;
    for (int i = offset; i < offset + length; i++) {
      boolean t = Threshold.positive(yTrue[i]);
      boolean p = Threshold.positive(yPred[i]);
      target += t ? 1 : 0;
      predicted += p ? 1 : 0;
      both += t && p ? 1 : 0;
    }
    return new MaskCounts(target, predicted, both);
  }
}
