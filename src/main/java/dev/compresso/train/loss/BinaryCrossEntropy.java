package dev.compresso.train.loss;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * Binary cross-entropy on probabilities, as Keras 3's TensorFlow backend computes it
 * ({@code keras/src/backend/tensorflow/nn.py, binary_crossentropy}, {@code from_logits=False}): predictions
 * clipped into {@code [1e-7, 1 - 1e-7]} (see {@link ProbabilityClip}), then
 * {@code -(t*log(p) + (1-t)*log(1-p))} per value.
 *
 * <p>Per sample: the mean over every value of the sample; the batch loss is the mean over samples. Clipped
 * values get zero gradient, as with Keras.
 */
public final class BinaryCrossEntropy implements Loss {

  @Override
  public String name() {
    return "bce";
  }

  @Override
  public Operand<TFloat32> build(Ops tf, Operand<TFloat32> yTrue, Operand<TFloat32> yPred) {
    Operand<TFloat32> one = tf.constant(1f);
    Operand<TFloat32> p = ProbabilityClip.clip(tf, yPred);
    Operand<TFloat32> positive = tf.math.mul(yTrue, tf.math.log(p));
    Operand<TFloat32> negative = tf.math.mul(tf.math.sub(one, yTrue), tf.math.log(tf.math.sub(one, p)));
    Operand<TFloat32> perValue = tf.math.neg(tf.math.add(positive, negative));
    return Loss.batchMean(tf, Loss.sampleMeans(tf, perValue));
  }

  @Override
  public double sample(float[] yTrue, float[] yPred, int offset, long[] sampleShape) {
    int n = BatchLayout.elements(sampleShape);
    double sum = 0;
    for (int i = offset; i < offset + n; i++) {
      double t = yTrue[i];
      float p = ProbabilityClip.clip(yPred[i]);
      // 1 - p in float32, as the graph computes it (exact for p in [0.5, 1] by Sterbenz' lemma)
      float q = 1f - p;
      sum -= t * Math.log(p) + (1 - t) * Math.log(q);
    }
    return sum / n;
  }
}
