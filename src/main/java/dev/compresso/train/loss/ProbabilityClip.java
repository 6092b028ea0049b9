package dev.compresso.train.loss;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * Clipping of probabilities into {@code [EPSILON, 1 - EPSILON]} before a logarithm, as Keras' TensorFlow
 * backend does for cross-entropies on probabilities ({@code keras/src/backend/tensorflow/nn.py}:
 * {@code tf.clip_by_value(output, epsilon(), 1.0 - epsilon())} with {@code epsilon() = 1e-7}).
 *
 * <p>Both bounds are float32 values, computed in float32 ({@code 1 - 1e-7} rounds to
 * {@code 0.99999988f}), so the Java form clips at exactly the bounds the graph uses.
 */
final class ProbabilityClip {

  /** Keras' default fuzz factor, {@code keras.config.epsilon()}. */
  static final float EPSILON = 1e-7f;

  static final float UPPER = 1f - EPSILON;

  private ProbabilityClip() {}

  static float clip(float p) {
    return Math.min(Math.max(p, EPSILON), UPPER);
  }

  /** Maximum then Minimum, rather than ClipByValue, because both have C++ gradients in TF 2.18. */
  static Operand<TFloat32> clip(Ops tf, Operand<TFloat32> p) {
    return tf.math.minimum(tf.math.maximum(p, tf.constant(EPSILON)), tf.constant(UPPER));
  }
}
