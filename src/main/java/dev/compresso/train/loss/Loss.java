package dev.compresso.train.loss;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * A training loss, defined per sample and averaged over the batch, in two forms that must agree: a
 * TensorFlow graph for training and plain Java for evaluation (golden-value tests hold both to the same
 * numbers).
 *
 * <p>Shapes: {@code yTrue} and {@code yPred} are {@code [N, ...]} with the same shape; a sample is
 * everything after the first dimension. Predictions are probabilities (after sigmoid/softmax) unless a
 * loss says otherwise. The Java form takes the shape along with the flat arrays because a loss may
 * depend on the layout of a sample (categorical cross-entropy reads the last axis as classes).
 */
public interface Loss {

  /** The name used on the command line ({@code --loss NAME}). */
  String name();

  /** What the loss computes, with its arguments, for the line a stage prints at its start. */
  default String describe() {
    return name();
  }

  /** The mean over the batch of the per-sample loss, as a scalar graph op. */
  Operand<TFloat32> build(Ops tf, Operand<TFloat32> yTrue, Operand<TFloat32> yPred);

  /**
   * The loss of one sample of shape {@code sampleShape} (without the batch dimension), whose values are
   * {@code yTrue[offset, offset + elements(sampleShape))}, row-major.
   */
  double sample(float[] yTrue, float[] yPred, int offset, long[] sampleShape);

  /**
   * The mean per-sample loss of a batch of shape {@code shape} ({@code [N, ...]}) stored flat.
   *
   * @throws dev.compresso.BadInputException when the arrays do not hold a batch of that shape
   */
  default double mean(float[] yTrue, float[] yPred, long[] shape) {
    int per = BatchLayout.valuesPerSample(name(), yTrue, yPred, shape);
    long[] sampleShape = BatchLayout.sampleShape(shape);
    double sum = 0;
    for (int s = 0; s < shape[0]; s++) {
      sum += sample(yTrue, yPred, s * per, sampleShape);
    }
    return sum / shape[0];
  }

  /** {@code x} reshaped to {@code [N, D]}: one row per sample. */
  static Operand<TFloat32> perSampleRows(Ops tf, Operand<TFloat32> x) {
    Operand<TInt32> batch = tf.slice(tf.shape(x), tf.constant(new int[] {0}), tf.constant(new int[] {1}));
    return tf.reshape(x, tf.concat(List.of(batch, tf.constant(new int[] {-1})), tf.constant(0)));
  }

  /** The sum of each sample's values: shape {@code [N]}. */
  static Operand<TFloat32> sampleSums(Ops tf, Operand<TFloat32> x) {
    return tf.sum(perSampleRows(tf, x), tf.constant(1));
  }

  /** The mean of each sample's values: shape {@code [N]}. */
  static Operand<TFloat32> sampleMeans(Ops tf, Operand<TFloat32> x) {
    return tf.math.mean(perSampleRows(tf, x), tf.constant(1));
  }

  /** The mean over the batch of per-sample values of shape {@code [N]}: a scalar. */
  static Operand<TFloat32> batchMean(Ops tf, Operand<TFloat32> perSample) {
    return tf.math.mean(perSample, tf.constant(0));
  }
}
