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
 * loss says otherwise.
 */
public interface Loss {

  /** The name used on the command line ({@code --loss NAME}). */
  String name();

  /** The mean over the batch of the per-sample loss, as a scalar graph op. */
  Operand<TFloat32> build(Ops tf, Operand<TFloat32> yTrue, Operand<TFloat32> yPred);

  /** The loss of one sample, whose values are {@code yTrue[offset, offset+length)}. */
  double sample(float[] yTrue, float[] yPred, int offset, int length);

  /** The mean per-sample loss over {@code samples} samples stored back to back. */
  default double mean(float[] yTrue, float[] yPred, int samples) {
    if (yTrue.length != yPred.length || samples <= 0 || yTrue.length % samples != 0) {
      throw new IllegalArgumentException(String.format("%s: %d targets vs %d predictions for %d samples",
          name(), yTrue.length, yPred.length, samples));
    }
    int per = yTrue.length / samples;
    double sum = 0;
    for (int s = 0; s < samples; s++) {
      sum += sample(yTrue, yPred, s * per, per);
    }
    return sum / samples;
  }

  /** {@code x} reshaped to {@code [N, D]}: one row per sample. */
  static Operand<TFloat32> perSampleRows(Ops tf, Operand<TFloat32> x) {
    Operand<TInt32> batch = tf.slice(tf.shape(x), tf.constant(new int[] {0}), tf.constant(new int[] {1}));
    return tf.reshape(x, tf.concat(List.of(batch, tf.constant(new int[] {-1})), tf.constant(0)));
  }
}
