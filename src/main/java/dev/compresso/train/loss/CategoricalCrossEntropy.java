package dev.compresso.train.loss;

import dev.compresso.BadInputException;
import java.util.Arrays;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Sum;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * Categorical cross-entropy on probabilities with one-hot (or soft) targets, the last axis holding the
 * classes, as Keras 3's TensorFlow backend computes it ({@code keras/src/backend/tensorflow/nn.py,
 * categorical_crossentropy}, {@code from_logits=False}): predictions divided by their sum over the class
 * axis, clipped into {@code [1e-7, 1 - 1e-7]} (see {@link ProbabilityClip}), then {@code -sum_c t*log(p)}
 * at every position.
 *
 * <p>Per sample: the mean of that over the sample's positions (every axis but the last; one position for
 * {@code [N, C]}); the batch loss is the mean over samples. A sample needs a class axis: rank 1 or more
 * without the batch dimension. Predictions whose class sum is zero give NaN, as in Keras.
 */
public final class CategoricalCrossEntropy implements Loss {

  @Override
  public String name() {
    return "cce";
  }

  @Override
  public Operand<TFloat32> build(Ops tf, Operand<TFloat32> yTrue, Operand<TFloat32> yPred) {
    Operand<TInt32> classAxis = tf.constant(-1);
    Operand<TFloat32> classSum = tf.sum(yPred, classAxis, Sum.keepDims(true));
    Operand<TFloat32> p = ProbabilityClip.clip(tf, tf.math.div(yPred, classSum));
    Operand<TFloat32> perPosition = tf.math.neg(tf.sum(tf.math.mul(yTrue, tf.math.log(p)), classAxis));
    return Loss.batchMean(tf, Loss.sampleMeans(tf, perPosition));
  }

  @Override
  public double sample(float[] yTrue, float[] yPred, int offset, long[] sampleShape) {
    if (sampleShape.length == 0) {
      throw new BadInputException("cce needs a class axis: samples of shape [..., C], got a scalar per sample");
    }
    int classes = Math.toIntExact(sampleShape[sampleShape.length - 1]);
    int positions = BatchLayout.elements(Arrays.copyOf(sampleShape, sampleShape.length - 1));
    double sum = 0;
    for (int pos = 0; pos < positions; pos++) {
      int base = offset + pos * classes;
      // the class sum in float32, as the graph's Sum
      float classSum = 0;
      for (int c = 0; c < classes; c++) {
        classSum += yPred[base + c];
      }
      for (int c = 0; c < classes; c++) {
        float p = ProbabilityClip.clip(yPred[base + c] / classSum);
        sum -= yTrue[base + c] * Math.log(p);
      }
    }
    return sum / positions;
  }
}
