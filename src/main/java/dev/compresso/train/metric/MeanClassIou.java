package dev.compresso.train.metric;

/**
 * Intersection over union of a multi-class segmentation, per sample: the mean over the classes present in
 * the target or the prediction of {@code |T_c ∩ P_c| / |T_c ∪ P_c|} ({@link ClassOverlap}); 1 when no class
 * is present. The reported value is the mean over samples (Keras' {@code MeanIoU} instead pools the
 * confusion matrix over the whole set).
 */
public final class MeanClassIou implements Metric {

  @Override
  public String name() {
    return "mean-iou";
  }

  @Override
  public boolean higherIsBetter() {
    return true;
  }

  @Override
  public double sample(float[] yTrue, float[] yPred, int offset, long[] sampleShape) {
    return ClassOverlap.meanOverPresent(yTrue, yPred, offset, sampleShape,
        (t, p, both) -> t + p - both > 0 ? (double) both / (t + p - both) : Double.NaN);
  }
}
