package dev.compresso.ptq;

import dev.compresso.data.Dataset;
import dev.compresso.model.FrozenGraph;
import dev.compresso.train.Tensors;
import java.util.List;
import java.util.Random;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.types.TFloat32;

/**
 * A tiny frozen graph with every pair kind CLE handles: x[1,8,8,3] -> conv 3x3 (3 -> 8) + bias + ReLU ->
 * conv 1x1 (8 -> 8) + bias + ReLU6 -> depthwise 3x3 + bias -> conv 1x1 (8 -> 4) + bias -> y. Output channels
 * of the first conv are scaled by factors from 0.1 to 10 (so equalization has work), and its biases are
 * positive (so high-bias absorption has some).
 */
final class TinyPtqGraphs {

  static final int H = 8;
  static final int C = 3;

  private TinyPtqGraphs() {}

  static FrozenGraph chain() {
    Random rnd = new Random(11);
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Operand<TFloat32> x = tf.withName("x").placeholder(TFloat32.class, Placeholder.shape(Shape.of(1, H, H, C)));
      float[] k1 = gaussian(rnd, 0.4f, 3 * 3 * C * 8);
      for (int i = 0; i < k1.length; i++) {
        k1[i] *= (float) Math.pow(10, (i % 8) / 3.5 - 1);
      }
      float[] b1 = new float[8];
      for (int c = 0; c < 8; c++) {
        b1[c] = 0.5f + 0.3f * c;
      }
      Operand<TFloat32> a1 = tf.withName("c1_relu").nn.relu(tf.withName("c1_bias").nn.biasAdd(
          tf.withName("c1").nn.conv2d(x, konst(tf, "c1_kernel", k1, 3, 3, C, 8), strides(), "SAME"),
          konst(tf, "c1_b", b1, 8)));
      Operand<TFloat32> a2 = tf.withName("c2_relu6").nn.relu6(tf.withName("c2_bias").nn.biasAdd(
          tf.withName("c2").nn.conv2d(a1, konst(tf, "c2_kernel", gaussian(rnd, 0.05f, 64), 1, 1, 8, 8), strides(), "SAME"),
          konst(tf, "c2_b", gaussian(rnd, 0.5f, 8), 8)));
      Operand<TFloat32> d = tf.withName("dw_bias").nn.biasAdd(
          tf.withName("dw").nn.depthwiseConv2dNative(a2, konst(tf, "dw_kernel", gaussian(rnd, 0.3f, 72), 3, 3, 8, 1),
              strides(), "SAME"), konst(tf, "dw_b", gaussian(rnd, 0.1f, 8), 8));
      Operand<TFloat32> y = tf.withName("pw_bias").nn.biasAdd(
          tf.withName("pw").nn.conv2d(d, konst(tf, "pw_kernel", gaussian(rnd, 0.3f, 32), 1, 1, 8, 4), strides(), "SAME"),
          konst(tf, "pw_b", gaussian(rnd, 0.1f, 4), 4));
      tf.withName("y").identity(y);
      GraphDef def = g.toGraphDef();
      return new FrozenGraph(def, "serving_default",
          List.of(new FrozenGraph.Input("x", "x", DataType.DT_FLOAT, new long[] {1, H, H, C})),
          List.of(new FrozenGraph.Output("y", "y:0")));
    }
  }

  /** x -> conv 3x3 (3 -> 4) -> AddV2 of a [1, 1, 1, 4] bias (as Keras 3 writes it) -> y: no pair for CLE. */
  static FrozenGraph single() {
    Random rnd = new Random(12);
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Operand<TFloat32> x = tf.withName("x").placeholder(TFloat32.class, Placeholder.shape(Shape.of(1, H, H, C)));
      Operand<TFloat32> y = tf.withName("c_bias").math.add(
          tf.withName("c").nn.conv2d(x, konst(tf, "c_kernel", gaussian(rnd, 0.3f, 9 * C * 4), 3, 3, C, 4), strides(),
              "SAME"), konst(tf, "c_b", gaussian(rnd, 0.1f, 4), 1, 1, 1, 4));
      tf.withName("y").identity(y);
      return new FrozenGraph(g.toGraphDef(), "serving_default",
          List.of(new FrozenGraph.Input("x", "x", DataType.DT_FLOAT, new long[] {1, H, H, C})),
          List.of(new FrozenGraph.Output("y", "y:0")));
    }
  }

  /** {@code n} samples in [0, 1] of shape [H, H, C] (targets unused). */
  static Dataset data(int n, long seed) {
    Random rnd = new Random(seed);
    float[] x = new float[n * H * H * C];
    for (int i = 0; i < x.length; i++) {
      x[i] = rnd.nextFloat();
    }
    return Dataset.of("tiny", x, new long[] {H, H, C}, new float[n], new long[] {1}, n);
  }

  /** Output {@code y} of a frozen graph on sample {@code i} of {@code data}. */
  static float[] run(GraphDef def, Dataset data, int i) {
    int per = H * H * C;
    float[] sample = java.util.Arrays.copyOfRange(data.inputs(), i * per, (i + 1) * per);
    try (Graph g = new Graph()) {
      g.importGraphDef(def);
      try (Session s = new Session(g);
          TFloat32 in = Tensors.of(sample, 1, H, H, C);
          Result r = s.runner().feed("x", in).fetch("y").run()) {
        return Tensors.read(r.get(0));
      }
    }
  }

  private static List<Long> strides() {
    return List.of(1L, 1L, 1L, 1L);
  }

  private static float[] gaussian(Random rnd, float scale, int n) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) rnd.nextGaussian() * scale;
    }
    return v;
  }

  private static Operand<TFloat32> konst(Ops tf, String name, float[] v, long... shape) {
    return tf.withName(name).constant(Shape.of(shape), DataBuffers.of(v));
  }
}
