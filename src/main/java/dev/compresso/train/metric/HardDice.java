package dev.compresso.train.metric;

import dev.compresso.train.loss.BatchLayout;

/**
 * Dice coefficient of hard masks, per sample: {@code 2|T ∩ P| / (|T| + |P|)} with {@code T} the target
 * values above 0.5 and {@code P} the predictions above 0.5 (see {@link Threshold}); 1 when both masks are
 * empty (nothing to find, nothing found). The reported value is the mean over samples.
 */
public final class HardDice implements Metric {

  @Override
  public String name() {
    return "dice";
  }

  @Override
  public boolean higherIsBetter() {
    return true;
  }

  @Override
  public double sample(float[] yTrue, float[] yPred, int offset, long[] sampleShape) {
    MaskCounts c = MaskCounts.of(yTrue, yPred, offset, BatchLayout.elements(sampleShape));
    long total = c.target() + c.predicted();
    return total == 0 ? 1.0 : 2.0 * c.both() / total;
  }
}
