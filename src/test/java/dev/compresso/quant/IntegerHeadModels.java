package dev.compresso.quant;

import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.Signature;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;

/**
 * TF1 SavedModels whose output is an integer head: a tiny segmentation net, x[-1, 8, 8, 3] -> conv 3x3 (8)
 * + bias + relu -> conv 1x1 (4 classes) + bias -> {@code ArgMax} over the channels (int64), or {@code ArgMin},
 * or {@code ArgMax} then a {@code Cast} to int32, as Keras and TF exporters write class maps.
 */
final class IntegerHeadModels {

  /** Which head. */
  enum Head { ARGMAX, ARGMIN, ARGMAX_CAST }

  private IntegerHeadModels() {}

  static void export(Path dir, Head head) {
    Random rnd = new Random(21);
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Placeholder<TFloat32> x = tf.withName("x").placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, 8, 8, 3)));
      Operand<TFloat32> a = tf.withName("relu1").nn.relu(tf.withName("bias1").nn.biasAdd(tf.withName("conv1").nn.conv2d(
          x, var(tf, "k1", rnd, 0.5f, 3, 3, 3, 8), List.of(1L, 1L, 1L, 1L), "SAME"), var(tf, "b1", rnd, 0.1f, 8)));
      Operand<TFloat32> logits = tf.withName("logits").nn.biasAdd(tf.withName("conv2").nn.conv2d(a,
          var(tf, "k2", rnd, 0.5f, 1, 1, 8, 4), List.of(1L, 1L, 1L, 1L), "SAME"), var(tf, "b2", rnd, 0.1f, 4));
      Operand<?> y = switch (head) {
        case ARGMAX -> tf.withName("y").math.argMax(logits, tf.constant(3), TInt64.class);
        case ARGMIN -> tf.withName("y").math.argMin(logits, tf.constant(-1), TInt64.class);
        case ARGMAX_CAST -> tf.withName("y").dtypes.cast(tf.withName("argmax").math.argMax(logits, tf.constant(3),
            TInt64.class), TInt32.class);
      };
      try (Session s = new Session(g)) {
        s.initialize();
        SavedModelBundle.exporter(dir.toString()).withSession(s)
            .withSignature(Signature.builder().key("serving_default").input("x", x).output("y", y).build()).export();
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }
  }

  private static Operand<TFloat32> var(Ops tf, String name, Random rnd, float scale, long... shape) {
    int n = 1;
    for (long d : shape) {
      n *= (int) d;
    }
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) rnd.nextGaussian() * scale;
    }
    return tf.identity(tf.withName(name).variable(tf.reshape(tf.constant(v), tf.constant(shape))));
  }
}
