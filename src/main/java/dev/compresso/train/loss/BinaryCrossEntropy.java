package dev.compresso.train.loss;

import dev.compresso.BadInputException;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * Binary cross-entropy, as Keras 3's TensorFlow backend computes it ({@code keras/src/backend/tensorflow/nn.py,
 * binary_crossentropy}).
 *
 * <ul>
 *   <li>On probabilities ({@code from_logits=False}): predictions clipped into {@code [1e-7, 1 - 1e-7]} (see
 *       {@link ProbabilityClip}), then {@code -(t*log(p) + (1-t)*log(1-p))} per value. Clipped values get zero
 *       gradient, as with Keras.
 *   <li>On logits ({@code from_logits=True}): {@code max(z, 0) - z*t + log(1 + exp(-|z|))}, the stable form
 *       of {@code tf.nn.sigmoid_cross_entropy_with_logits}.
 * </ul>
 *
 * <p>Label smoothing (Keras' {@code label_smoothing}): targets become {@code t*(1-ls) + ls/2}. Per sample:
 * the mean over every value of the sample; the batch loss is the mean over samples.
 */
public final class BinaryCrossEntropy implements Loss {

  private final boolean fromLogits;
  private final double labelSmoothing;

  /** On probabilities, no label smoothing. */
  public BinaryCrossEntropy() {
    this(false, 0);
  }

  public BinaryCrossEntropy(boolean fromLogits, double labelSmoothing) {
    if (!(labelSmoothing >= 0 && labelSmoothing < 1)) {
      throw new BadInputException("bce: label_smoothing must be in [0, 1), got " + labelSmoothing);
    }
    this.fromLogits = fromLogits;
    this.labelSmoothing = labelSmoothing;
  }

  @Override
  public String name() {
    return "bce";
  }

  @Override
  public String describe() {
    return "binary cross-entropy " + (fromLogits ? "from logits" : "on probabilities")
        + (labelSmoothing > 0 ? ", label smoothing " + labelSmoothing : "");
  }

  public boolean fromLogits() {
    return fromLogits;
  }

  @Override
  public Operand<TFloat32> build(Ops tf, Operand<TFloat32> yTrue, Operand<TFloat32> yPred) {
    Operand<TFloat32> one = tf.constant(1f);
    Operand<TFloat32> t = labelSmoothing > 0
        ? tf.math.add(tf.math.mul(yTrue, tf.constant((float) (1 - labelSmoothing))),
            tf.constant((float) (labelSmoothing / 2)))
        : yTrue;
    Operand<TFloat32> perValue;
    if (fromLogits) {
      perValue = tf.math.add(tf.math.sub(tf.nn.relu(yPred), tf.math.mul(yPred, t)),
          tf.math.log1p(tf.math.exp(tf.math.neg(tf.math.abs(yPred)))));
    } else {
      Operand<TFloat32> p = ProbabilityClip.clip(tf, yPred);
      Operand<TFloat32> positive = tf.math.mul(t, tf.math.log(p));
      Operand<TFloat32> negative = tf.math.mul(tf.math.sub(one, t), tf.math.log(tf.math.sub(one, p)));
      perValue = tf.math.neg(tf.math.add(positive, negative));
    }
    return Loss.batchMean(tf, Loss.sampleMeans(tf, perValue));
  }

  @Override
  public double sample(float[] yTrue, float[] yPred, int offset, long[] sampleShape) {
    int n = BatchLayout.elements(sampleShape);
    double sum = 0;
    for (int i = offset; i < offset + n; i++) {
      double t = yTrue[i] * (1 - labelSmoothing) + labelSmoothing / 2;
      if (fromLogits) {
        double z = yPred[i];
        sum += Math.max(z, 0) - z * t + Math.log1p(Math.exp(-Math.abs(z)));
      } else {
        float p = ProbabilityClip.clip(yPred[i]);
        // 1 - p in float32, as the graph computes it (exact for p in [0.5, 1] by Sterbenz' lemma)
        float q = 1f - p;
        sum -= t * Math.log(p) + (1 - t) * Math.log(q);
      }
    }
    return sum / n;
  }
}
