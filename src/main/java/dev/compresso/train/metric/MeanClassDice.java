package dev.compresso.train.metric;

/**
 * Dice of a multi-class segmentation, per sample: the mean over the classes present in the target or the
 * prediction of {@code 2|T_c ∩ P_c| / (|T_c| + |P_c|)}, with {@code T_c}, {@code P_c} the positions whose
 * arg-max is class {@code c} ({@link ClassOverlap}); 1 when no class is present (no positions). The reported
 * value is the mean over samples. Classes absent from both are left out, so a model is not credited for
 * the classes an image does not show.
 */
public final class MeanClassDice implements Metric {

  @Override
  public String name() {
    return "mean-dice";
  }

  @Override
  public boolean higherIsBetter() {
    return true;
  }

  @Override
  public double sample(float[] yTrue, float[] yPred, int offset, long[] sampleShape) {
    return ClassOverlap.meanOverPresent(yTrue, yPred, offset, sampleShape,
        (t, p, both) -> t + p > 0 ? 2.0 * both / (t + p) : Double.NaN);
  }
}
