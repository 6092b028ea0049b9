package dev.compresso.train.loss;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * Soft Jaccard (IoU) loss (Rahman &amp; Wang, "Optimizing Intersection-Over-Union in Deep Neural Networks
 * for Image Segmentation", ISVC 2016), with additive smoothing.
 *
 * <p>Per sample: {@code I = sum(t*p)}, {@code U = sum(t) + sum(p) - I}, loss {@code 1 - (I + s) / (U + s)};
 * the batch loss is the mean over samples.
 */
public final class Iou implements Loss {

  public static final double SMOOTH_DEFAULT = 1.0;

  private final double smooth;

  public Iou() {
    this(SMOOTH_DEFAULT);
  }

  public Iou(double smooth) {
    if (!(smooth > 0) || !Double.isFinite(smooth)) {
      throw new IllegalArgumentException("iou needs a finite smooth > 0 (0 divides by zero on empty masks); got " + smooth);
    }
    this.smooth = smooth;
  }

  @Override
  public String name() {
    return "iou";
  }

  @Override
  public Operand<TFloat32> build(Ops tf, Operand<TFloat32> yTrue, Operand<TFloat32> yPred) {
    Operand<TFloat32> s = tf.constant((float) smooth);
    Operand<TFloat32> intersection = Loss.sampleSums(tf, tf.math.mul(yTrue, yPred));
    Operand<TFloat32> union = tf.math.sub(
        tf.math.add(Loss.sampleSums(tf, yTrue), Loss.sampleSums(tf, yPred)), intersection);
    Operand<TFloat32> jaccard = tf.math.div(tf.math.add(intersection, s), tf.math.add(union, s));
    return Loss.batchMean(tf, tf.math.sub(tf.constant(1f), jaccard));
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
    return 1 - (intersection + smooth) / (total - intersection + smooth);
  }
}
