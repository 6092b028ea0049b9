package dev.compresso.model;

import java.io.IOException;
import java.nio.file.Path;
import org.tensorflow.Graph;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.Signature;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

/** Tiny TF1 SavedModels written by TF Java's own exporter, with ref ({@code VariableV2}) variables. */
public final class Tf1Models {

  /** {@code dense/kernel} of {@link #exportDense}. */
  public static final float[][] KERNEL = {{1, 2}, {3, 4}, {5, 6}};
  /** {@code dense/bias} of {@link #exportDense}. */
  public static final float[] BIAS = {0.5f, -0.5f};

  private Tf1Models() {}

  /**
   * {@code scores = features · dense/kernel + dense/bias} with features {@code [-1, 3]}, under signature
   * {@code serving_default} and tag {@code serve}. A third variable, {@code spare} ([4, 5]), is saved
   * but no output depends on it.
   */
  public static void exportDense(Path dir) throws IOException {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Placeholder<TFloat32> x = tf.withName("x").placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, 3)));
      Ops dense = tf.withSubScope("dense");
      Variable<TFloat32> w = dense.withName("kernel").variable(tf.constant(KERNEL));
      Variable<TFloat32> b = dense.withName("bias").variable(tf.constant(BIAS));
      tf.withName("spare").variable(tf.zeros(tf.constant(new int[] {4, 5}), TFloat32.class));
      var y = tf.withName("y").math.add(tf.linalg.matMul(x, tf.identity(w)), tf.identity(b));
      try (Session s = new Session(g)) {
        s.initialize();
        SavedModelBundle.exporter(dir.toString()).withSession(s)
            .withSignature(Signature.builder().key("serving_default").input("features", x).output("scores", y).build())
            .export();
      }
    }
  }
}
