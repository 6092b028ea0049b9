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

/**
 * TF1 SavedModels (ref variables, TF Java's exporter) holding batch norm in every form exporters write it,
 * after every conv-like op and after activations, so that folding is tested without Python: Keras 3's
 * {@code model.export()} decomposition {@code x * (gamma * rsqrt(var + eps)) + (beta - mean * inv)} after a
 * conv with its own bias as {@code BiasAdd(conv, Squeeze(Reshape(bias)))} (the MLPerf Tiny ResNet-8 form),
 * {@code FusedBatchNormV3} in inference mode, and a {@code Conv1D} as {@code ExpandDims}/{@code
 * Conv2D}/{@code Squeeze}. Statistics are random and far from the identity so that a wrong fold shows.
 */
final class BatchNormForms {

  static final int H = 8;
  static final int C = 3;

  private BatchNormForms() {}

  /**
   * x[-1, 8, 8, 3] -> conv 3x3 (8) + Keras 3 bias + decomposed BN + relu -> depthwise 3x3 (multiplier 2, 16)
   * + FusedBatchNormV3 + relu6 -> decomposed BN alone (after the activation) -> pointwise conv (8, no bias)
   * + FusedBatchNormV3 -> transposed conv 2x2 stride 2 (8) + AddV2 bias + decomposed BN + relu ->
   * FusedBatchNormV3 alone -> mean over H, W -> dense (4) + bias + decomposed BN -> y.
   */
  static void exportCnn(Path dir, boolean trainingModeBn) {
    Random rnd = new Random(11);
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Placeholder<TFloat32> x = tf.withName("x").placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, H, H, C)));
      Operand<TFloat32> conv = tf.withName("conv_convolution").nn.conv2d(x, var(tf, "conv_kernel", rnd, 0.4f, 3, 3, C, 8),
          strides(1), "SAME");
      Operand<TFloat32> bias = tf.withName("conv_Squeeze").squeeze(tf.withName("conv_Reshape").reshape(
          var(tf, "conv_bias", rnd, 0.2f, 8), tf.constant(new int[] {1, 1, 1, 8})));
      Operand<TFloat32> a = tf.withName("relu1").nn.relu(decomposedBn(tf, "bn1",
          tf.withName("conv_BiasAdd").nn.biasAdd(conv, bias), rnd, 8));
      Operand<TFloat32> dw = tf.withName("dw_depthwise").nn.depthwiseConv2dNative(a,
          var(tf, "dw_kernel", rnd, 0.4f, 3, 3, 8, 2), strides(1), "SAME");
      Operand<TFloat32> b = tf.withName("relu6_2").nn.relu6(fusedBn(tf, "bn2", dw, rnd, 16, trainingModeBn));
      Operand<TFloat32> c = decomposedBn(tf, "bn_after_act", b, rnd, 16);
      Operand<TFloat32> pw = fusedBn(tf, "bn3", tf.withName("pw_convolution").nn.conv2d(c,
          var(tf, "pw_kernel", rnd, 0.3f, 1, 1, 16, 8), strides(1), "SAME"), rnd, 8, false);
      Operand<TFloat32> up = tf.withName("up_conv_transpose").nn.conv2dBackpropInput(
          tf.concat(List.of(tf.slice(tf.shape(pw), tf.constant(new int[] {0}), tf.constant(new int[] {1})),
              tf.constant(new int[] {2 * H, 2 * H, 8})), tf.constant(0)), var(tf, "up_kernel", rnd, 0.4f, 2, 2, 8, 8), pw, strides(2), "SAME");
      Operand<TFloat32> upBias = tf.withName("up_add").math.add(up, tf.withName("up_Reshape").reshape(
          var(tf, "up_bias", rnd, 0.2f, 8), tf.constant(new int[] {1, 1, 1, 8})));
      Operand<TFloat32> d = tf.withName("relu4").nn.relu(decomposedBn(tf, "bn4", upBias, rnd, 8));
      Operand<TFloat32> e = fusedBn(tf, "bn_alone", d, rnd, 8, false);
      Operand<TFloat32> pooled = tf.withName("gap").math.mean(e, tf.constant(new int[] {1, 2}));
      Operand<TFloat32> dense = tf.withName("dense_BiasAdd").nn.biasAdd(tf.withName("dense_MatMul").linalg.matMul(pooled,
          var(tf, "dense_kernel", rnd, 0.5f, 8, 4)), var(tf, "dense_bias", rnd, 0.2f, 4));
      Operand<TFloat32> y = tf.withName("y").identity(decomposedBn(tf, "bn5", dense, rnd, 4));
      export(g, dir, x, y);
    }
  }

  /** x[-1, 12, 3] -> Conv1D k=3 (6) as ExpandDims/Conv2D/Squeeze + BiasAdd + FusedBatchNormV3 -> relu -> y. */
  static void exportConv1d(Path dir) {
    Random rnd = new Random(12);
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Placeholder<TFloat32> x = tf.withName("x").placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, 12, C)));
      Operand<TFloat32> kernel = tf.withName("c1_ExpandDims_1").expandDims(var(tf, "c1_kernel", rnd, 0.4f, 3, C, 6),
          tf.constant(0));
      Operand<TFloat32> conv = tf.withName("c1_Conv2D").nn.conv2d(tf.withName("c1_ExpandDims").expandDims(x,
          tf.constant(1)), kernel, strides(1), "SAME");
      Operand<TFloat32> sq = tf.withName("c1_Squeeze").squeeze(conv, org.tensorflow.op.core.Squeeze.axis(List.of(1L)));
      Operand<TFloat32> biased = tf.withName("c1_BiasAdd").nn.biasAdd(sq, var(tf, "c1_bias", rnd, 0.2f, 6));
      // FusedBatchNormV3 takes 4-D data; Keras writes a 3-D batch norm decomposed.
      Operand<TFloat32> y = tf.withName("y").nn.relu(decomposedBn(tf, "bn", biased, rnd, 6));
      export(g, dir, x, y);
    }
  }

  /**
   * Two outputs where a fold must stop: {@code feat} = conv + bias (an output itself, and read on by the batch
   * norm), {@code y} = relu(decomposed BN(feat)); and {@code raw} = a second conv whose own output is the model
   * output {@code raw} and also feeds a batch norm into {@code z}.
   */
  static void exportObservedChain(Path dir) {
    Random rnd = new Random(13);
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Placeholder<TFloat32> x = tf.withName("x").placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, H, H, C)));
      Operand<TFloat32> feat = tf.withName("feat").nn.biasAdd(tf.withName("conv").nn.conv2d(x,
          var(tf, "k", rnd, 0.4f, 3, 3, C, 4), strides(1), "SAME"), var(tf, "b", rnd, 0.2f, 4));
      Operand<TFloat32> y = tf.withName("y").nn.relu(decomposedBn(tf, "bn", feat, rnd, 4));
      Operand<TFloat32> raw = tf.withName("raw").nn.conv2d(x, var(tf, "k2", rnd, 0.4f, 1, 1, C, 4), strides(1), "SAME");
      Operand<TFloat32> z = tf.withName("z").nn.relu(decomposedBn(tf, "bn2", raw, rnd, 4));
      try (Session s = new Session(g)) {
        s.initialize();
        SavedModelBundle.exporter(dir.toString()).withSession(s).withSignature(Signature.builder()
            .key("serving_default").input("x", x).output("feat", feat).output("y", y).output("raw", raw)
            .output("z", z).build()).export();
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }
  }

  private static void export(Graph g, Path dir, Placeholder<TFloat32> x, Operand<TFloat32> y) {
    try (Session s = new Session(g)) {
      s.initialize();
      SavedModelBundle.exporter(dir.toString()).withSession(s)
          .withSignature(Signature.builder().key("serving_default").input("x", x).output("y", y).build()).export();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** Keras 3 / {@code tf.nn.batch_normalization}: {@code x * inv + (beta - mean * inv)}, {@code inv = rsqrt(var + eps) * gamma}. */
  static Operand<TFloat32> decomposedBn(Ops tf, String name, Operand<TFloat32> x, Random rnd, int n) {
    Ops s = tf.withSubScope(name);
    Operand<TFloat32> inv = s.withName("batchnorm_mul").math.mul(s.withName("batchnorm_Rsqrt").math.rsqrt(
        s.withName("batchnorm_add").math.add(stat(s, "moving_variance", rnd, 0.2f, 2f, n), s.constant(1e-3f))),
        stat(s, "gamma", rnd, 0.5f, 1.5f, n));
    Operand<TFloat32> shift = s.withName("batchnorm_sub").math.sub(stat(s, "beta", rnd, -0.5f, 0.5f, n),
        s.withName("batchnorm_mul_2").math.mul(stat(s, "moving_mean", rnd, -0.5f, 0.5f, n), inv));
    return s.withName("batchnorm_add_1").math.add(s.withName("batchnorm_mul_1").math.mul(x, inv), shift);
  }

  static Operand<TFloat32> fusedBn(Ops tf, String name, Operand<TFloat32> x, Random rnd, int n, boolean training) {
    Ops s = tf.withSubScope(name);
    return tf.scope().env().opBuilder("FusedBatchNormV3", name + "/FusedBatchNormV3", tf.scope()).addInput(x.asOutput())
        .addInput(stat(s, "gamma", rnd, 0.5f, 1.5f, n).asOutput()).addInput(stat(s, "beta", rnd, -0.5f, 0.5f, n).asOutput())
        .addInput(stat(s, "moving_mean", rnd, -0.5f, 0.5f, n).asOutput())
        .addInput(stat(s, "moving_variance", rnd, 0.2f, 2f, n).asOutput())
        .setAttr("epsilon", 1e-3f).setAttr("is_training", training).setAttr("U", org.tensorflow.proto.DataType.DT_FLOAT)
        .build().<TFloat32>output(0);
  }

  private static Operand<TFloat32> stat(Ops tf, String name, Random rnd, float lo, float hi, int n) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = lo + (hi - lo) * rnd.nextFloat();
    }
    return tf.identity(tf.withName(name).variable(tf.constant(v)));
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

  private static List<Long> strides(long s) {
    return List.of(1L, s, s, 1L);
  }
}
