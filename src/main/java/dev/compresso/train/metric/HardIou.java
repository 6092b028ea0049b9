package dev.compresso.train.metric;

import dev.compresso.train.loss.BatchLayout;

/**
 * Intersection over union (Jaccard index) of hard masks, per sample: {@code |T ∩ P| / |T ∪ P|} with
 * masks cut at 0.5 (see {@link Threshold}); 1 when both masks are empty. The reported value is the mean
 * over samples (Keras' {@code BinaryIoU} instead pools counts over the whole set and averages the
 * foreground and background classes).
 */
public final class HardIou implements Metric {

  @Override
  public String name() {
    return "iou";
  }

  @Override
  public boolean higherIsBetter() {
    return true;
  }

  @Override
  public double sample(float[] yTrue, float[] yPred, int offset, long[] sampleShape) {
    MaskCounts c = MaskCounts.of(yTrue, yPred, offset, BatchLayout.elements(sampleShape));
    long union = c.target() + c.predicted() - c.both();
    return union == 0 ? 1.0 : (double) c.both() / union;
  }
}
