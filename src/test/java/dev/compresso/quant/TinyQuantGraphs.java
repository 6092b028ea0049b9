package dev.compresso.quant;

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
 * A tiny frozen UNet-like graph with constant weights: x[1,8,8,3] -> conv 3x3x3x8 + bias + relu (skip)
 * -> max-pool 2x2 -> conv 3x3x8x8 + bias + relu -> transposed conv 2x2 stride 2 (8 -> 8) + bias (linear,
 * a large range) -> concat with the skip -> conv 3x3x16x4 + bias -> y. The transposed conv's weights are
 * scaled up so its range is far larger than the skip's, as in a real UNet.
 */
final class TinyQuantGraphs {

  static final int H = 8;
  static final int C = 3;

  private TinyQuantGraphs() {}

  static FrozenGraph unetLike() {
    Random rnd = new Random(5);
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Operand<TFloat32> x = tf.withName("x").placeholder(TFloat32.class, Placeholder.shape(Shape.of(1, H, H, C)));
      Operand<TFloat32> skip = tf.withName("enc_relu").nn.relu(tf.withName("enc_bias_add").nn.biasAdd(
          tf.withName("enc_conv").nn.conv2d(x, konst(tf, "enc_kernel", rnd, 0.4f, 3, 3, C, 8), strides(1), "SAME"),
          konst(tf, "enc_bias", rnd, 0.1f, 8)));
      // MaxPool with attributes (TF Java's nn.maxPool writes MaxPoolV2, which the converter rejects).
      Operand<TFloat32> pooled = g.opBuilder("MaxPool", "pool", tf.scope()).addInput(skip.asOutput())
          .setAttr("ksize", new long[] {1, 2, 2, 1}).setAttr("strides", new long[] {1, 2, 2, 1})
          .setAttr("padding", "VALID").build().<TFloat32>output(0);
      Operand<TFloat32> mid = tf.withName("mid_relu").nn.relu(tf.withName("mid_bias_add").nn.biasAdd(
          tf.withName("mid_conv").nn.conv2d(pooled, konst(tf, "mid_kernel", rnd, 0.3f, 3, 3, 8, 8), strides(1),
              "SAME"), konst(tf, "mid_bias", rnd, 0.1f, 8)));
      Operand<TFloat32> up = tf.withName("up_bias_add").nn.biasAdd(
          tf.withName("up_conv_transpose").nn.conv2dBackpropInput(tf.constant(new int[] {1, H, H, 8}),
              konst(tf, "up_kernel", rnd, 4f, 2, 2, 8, 8), mid, strides(2), "SAME"),
          konst(tf, "up_bias", rnd, 1f, 8));
      Operand<TFloat32> cat = tf.withName("concat").concat(List.of(up, skip), tf.constant(3));
      Operand<TFloat32> head = tf.withName("head_bias_add").nn.biasAdd(
          tf.withName("head_conv").nn.conv2d(cat, konst(tf, "head_kernel", rnd, 0.2f, 3, 3, 16, 4), strides(1),
              "SAME"), konst(tf, "head_bias", rnd, 0.1f, 4));
      tf.withName("y").identity(head);
      GraphDef def = g.toGraphDef();
      return new FrozenGraph(def, "serving_default",
          List.of(new FrozenGraph.Input("x", "x", DataType.DT_FLOAT, new long[] {1, H, H, C})),
          List.of(new FrozenGraph.Output("y", "y:0")));
    }
  }

  /** x -> erf -> cos -> y: two ops with no int8 TFLite form. */
  static FrozenGraph withUnsupported() {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Operand<TFloat32> x = tf.withName("x").placeholder(TFloat32.class, Placeholder.shape(Shape.of(1, H, H, C)));
      tf.withName("y").identity(tf.withName("odd_cos").math.cos(tf.withName("odd_erf").math.erf(x)));
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

  /** Runs a frozen graph on one sample and returns output {@code y}. */
  static float[] run(GraphDef def, float[] sample) {
    try (Graph g = new Graph()) {
      g.importGraphDef(def);
      try (Session s = new Session(g);
          TFloat32 in = Tensors.of(sample, 1, H, H, C);
          Result r = s.runner().feed("x", in).fetch("y").run()) {
        return Tensors.read(r.get(0));
      }
    }
  }

  private static List<Long> strides(long s) {
    return List.of(1L, s, s, 1L);
  }

  private static Operand<TFloat32> konst(Ops tf, String name, Random rnd, float scale, long... shape) {
    int n = 1;
    for (long d : shape) {
      n *= (int) d;
    }
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) rnd.nextGaussian() * scale;
    }
    return tf.withName(name).constant(Shape.of(shape), DataBuffers.of(v));
  }
}
