package dev.compresso.train.loss;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * Soft Dice loss (Milletari, Navab &amp; Ahmadi, "V-Net", 3DV 2016, with the additive smoothing of common
 * Keras implementations instead of V-Net's squared denominators).
 *
 * <p>Per sample: {@code 1 - (2*sum(t*p) + s) / (sum(t) + sum(p) + s)}, summed over every value of the
 * sample; the batch loss is the mean over samples. With {@code s > 0} an empty target and an empty
 * prediction give loss 0.
 */
public final class Dice implements Loss {

  public static final double SMOOTH_DEFAULT = 1.0;

  private final double smooth;

  public Dice() {
    this(SMOOTH_DEFAULT);
  }

  public Dice(double smooth) {
    if (!(smooth > 0) || !Double.isFinite(smooth)) {
      throw new IllegalArgumentException("dice needs a finite smooth > 0 (0 divides by zero on empty masks); got " + smooth);
    }
    this.smooth = smooth;
  }

  @Override
  public String name() {
    return "dice";
  }

  @Override
  public Operand<TFloat32> build(Ops tf, Operand<TFloat32> yTrue, Operand<TFloat32> yPred) {
    Operand<TFloat32> s = tf.constant((float) smooth);
    Operand<TFloat32> intersection = Loss.sampleSums(tf, tf.math.mul(yTrue, yPred));
    Operand<TFloat32> total = tf.math.add(Loss.sampleSums(tf, yTrue), Loss.sampleSums(tf, yPred));
    Operand<TFloat32> dice = tf.math.div(
        tf.math.add(tf.math.mul(tf.constant(2f), intersection), s), tf.math.add(total, s));
    return Loss.batchMean(tf, tf.math.sub(tf.constant(1f), dice));
  }

  @Override
  public double sample(float[] yTrue, float[] yPred, int offset, long[] sampleShape) {
    int end = offset + BatchLayout.elements(sampleShape);
    double intersection = 0;
    double total = 0;
    for (int i = offset; i < end; i++) {
      intersection += (double) yTrue[i] * yPred[i];
      total += (double) yTrue[i] + yPred[i];
    }
    return 1 - (2 * intersection + smooth) / (total + smooth);
  }
}
