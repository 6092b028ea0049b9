package dev.compresso.train.loss;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * Focal Tversky loss for binary segmentation (Abraham &amp; Khan, "A Novel Focal Tversky loss function
 * with improved Attention U-Net for lesion segmentation", ISBI 2019).
 *
 * <p>Per sample: {@code TI = (TP + s) / (TP + alpha*FN + beta*FP + s)} with soft counts {@code TP = sum(t*p)},
 * {@code FN = sum(t*(1-p))}, {@code FP = sum((1-t)*p)}, and loss {@code (1 - TI)^gamma}. {@code alpha}
 * weighs false negatives, as in the paper's code; the batch loss is the mean over samples.
 *
 * <p>{@code 1 - TI} is floored at {@link #BASE_FLOOR} before the power, in both forms: the derivative of
 * {@code x^gamma} is infinite at {@code x = 0} for {@code gamma < 1}, so a single perfectly predicted
 * sample (hard 0/1 predictions, reachable once a sigmoid saturates in float32) would turn every gradient
 * of the batch into NaN. With the floor that sample gets zero gradient and a loss of
 * {@code BASE_FLOOR^gamma} (5.6e-6 at the defaults) instead of 0.
 */
public final class FocalTversky implements Loss {

  public static final double ALPHA_DEFAULT = 0.7;
  public static final double BETA_DEFAULT = 0.3;
  public static final double GAMMA_DEFAULT = 0.75;
  public static final double SMOOTH_DEFAULT = 1.0;

  /** The smallest {@code 1 - TI} raised to {@code gamma}: Keras' fuzz factor, {@code 1e-7}. */
  public static final double BASE_FLOOR = 1e-7;

  private final double alpha;
  private final double beta;
  private final double gamma;
  private final double smooth;

  public FocalTversky() {
    this(ALPHA_DEFAULT, BETA_DEFAULT, GAMMA_DEFAULT, SMOOTH_DEFAULT);
  }

  public FocalTversky(double alpha, double beta, double gamma, double smooth) {
    if (alpha < 0 || beta < 0 || gamma <= 0 || smooth < 0) {
      throw new IllegalArgumentException(String.format(
          "focal-tversky needs alpha, beta, smooth >= 0 and gamma > 0; got alpha=%s beta=%s gamma=%s smooth=%s",
          alpha, beta, gamma, smooth));
    }
    this.alpha = alpha;
    this.beta = beta;
    this.gamma = gamma;
    this.smooth = smooth;
  }

  @Override
  public String name() {
    return "focal-tversky";
  }

  @Override
  public Operand<TFloat32> build(Ops tf, Operand<TFloat32> yTrue, Operand<TFloat32> yPred) {
    Operand<TFloat32> t = Loss.perSampleRows(tf, yTrue);
    Operand<TFloat32> p = Loss.perSampleRows(tf, yPred);
    Operand<TFloat32> one = tf.constant(1f);
    Operand<TFloat32> tp = tf.sum(tf.math.mul(t, p), tf.constant(1));
    Operand<TFloat32> fn = tf.sum(tf.math.mul(t, tf.math.sub(one, p)), tf.constant(1));
    Operand<TFloat32> fp = tf.sum(tf.math.mul(tf.math.sub(one, t), p), tf.constant(1));
    Operand<TFloat32> s = tf.constant((float) smooth);
    Operand<TFloat32> denominator = tf.math.add(tf.math.add(tf.math.add(tp, tf.math.mul(tf.constant((float) alpha), fn)),
        tf.math.mul(tf.constant((float) beta), fp)), s);
    Operand<TFloat32> ti = tf.math.div(tf.math.add(tp, s), denominator);
    Operand<TFloat32> base = tf.math.maximum(tf.math.sub(one, ti), tf.constant((float) BASE_FLOOR));
    return tf.math.mean(tf.math.pow(base, tf.constant((float) gamma)), tf.constant(0));
  }

  @Override
  public double sample(float[] yTrue, float[] yPred, int offset, long[] sampleShape) {
    int length = BatchLayout.elements(sampleShape);
    double tp = 0;
    double fn = 0;
    double fp = 0;
    for (int i = offset; i < offset + length; i++) {
      double t = yTrue[i];
      double p = yPred[i];
      tp += t * p;
      fn += t * (1 - p);
      fp += (1 - t) * p;
    }
    double ti = (tp + smooth) / (tp + alpha * fn + beta * fp + smooth);
    return Math.pow(Math.max(BASE_FLOOR, 1 - ti), gamma);
  }
}
