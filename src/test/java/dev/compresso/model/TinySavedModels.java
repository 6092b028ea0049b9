package dev.compresso.model;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.Signature;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.op.quantization.FakeQuantWithMinMaxArgs;
import org.tensorflow.types.TFloat32;

/**
 * Tiny TF1-style SavedModels written by TF Java's exporter, with ref ({@code VariableV2}) variables read
 * through {@code Identity}: x[?,8,8,4] -> conv 3x3x4x32 + bias -> relu -> reshape -> dense 2048x10 + bias
 * -> y[?,10]. The QAT variant carries FakeQuant ranges on the input, the weights (per channel) and every
 * activation. A dangling training op (an Assign on a variable) checks that freezing prunes it.
 */
public final class TinySavedModels {

  public static final int H = 8;
  public static final int W = 8;
  public static final int C = 4;
  public static final int FILTERS = 32;
  public static final int CLASSES = 10;

  private TinySavedModels() {}

  /** Exports the float conv+dense model into {@code dir}. */
  public static Path convDense(Path dir) throws IOException {
    return export(dir, false);
  }

  /** Exports the model with FakeQuant nodes on input, weights and activations into {@code dir}. */
  public static Path convDenseQat(Path dir) throws IOException {
    return export(dir, true);
  }

  private static Path export(Path dir, boolean qat) throws IOException {
    Random rnd = new Random(42);
    float[] convW = gaussian(rnd, 3 * 3 * C * FILTERS, 0.3f);
    float[] convB = gaussian(rnd, FILTERS, 0.1f);
    float[] denseW = gaussian(rnd, H * W * FILTERS * CLASSES, 0.05f);
    float[] denseB = gaussian(rnd, CLASSES, 0.1f);
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Operand<TFloat32> x = tf.withName("x").placeholder(TFloat32.class,
          Placeholder.shape(Shape.of(-1, H, W, C)));
      Variable<TFloat32> cw = variable(tf, "conv_kernel", Shape.of(3, 3, C, FILTERS), convW);
      Variable<TFloat32> cb = variable(tf, "conv_bias", Shape.of(FILTERS), convB);
      Variable<TFloat32> dw = variable(tf, "dense_kernel", Shape.of(H * W * FILTERS, CLASSES), denseW);
      Variable<TFloat32> db = variable(tf, "dense_bias", Shape.of(CLASSES), denseB);

      Operand<TFloat32> in = x;
      Operand<TFloat32> convKernel = tf.withName("conv_kernel_read").identity(cw);
      Operand<TFloat32> denseKernel = tf.withName("dense_kernel_read").identity(dw);
      if (qat) {
        in = tf.withName("x_fq").quantization.fakeQuantWithMinMaxArgs(x, FakeQuantWithMinMaxArgs.min(-1f),
            FakeQuantWithMinMaxArgs.max(1f));
        convKernel = tf.withName("conv_kernel_fq").quantization.fakeQuantWithMinMaxVarsPerChannel(convKernel,
            tf.constant(negate(channelAbsMax(convW, FILTERS))), tf.constant(channelAbsMax(convW, FILTERS)),
            org.tensorflow.op.quantization.FakeQuantWithMinMaxVarsPerChannel.narrowRange(true));
        // Per tensor for a MatMul kernel, as tfmot does: TFLite stores FC weights transposed ([out, in]) and
        // the converter rejects a per-channel range on the TF layout ("mismatched quantized axes").
        // Symmetric, as TFLite's int8 spec requires of weights: with an asymmetric range the FC filter gets a
        // non-zero zero point, which the builtin kernel honours but XNNPACK's QS8 kernel ignores (wrong output).
        float dAbsMax = channelAbsMax(denseW, 1)[0];
        denseKernel = tf.withName("dense_kernel_fq").quantization.fakeQuantWithMinMaxVars(denseKernel,
            tf.constant(-dAbsMax), tf.constant(dAbsMax),
            org.tensorflow.op.quantization.FakeQuantWithMinMaxVars.narrowRange(true));
      }
      Operand<TFloat32> conv = tf.withName("conv_Conv2D").nn.conv2d(in, convKernel, List.of(1L, 1L, 1L, 1L), "SAME");
      Operand<TFloat32> act = tf.withName("conv_Relu").nn.relu(
          tf.withName("conv_BiasAdd").nn.biasAdd(conv, tf.withName("conv_bias_read").identity(cb)));
      if (qat) {
        act = tf.withName("conv_act_fq").quantization.fakeQuantWithMinMaxVars(act, tf.constant(0f), tf.constant(6f));
      }
      Operand<TFloat32> flat = tf.withName("flatten").reshape(act, tf.constant(new int[] {-1, H * W * FILTERS}));
      Operand<TFloat32> y = tf.withName("dense_BiasAdd").nn.biasAdd(
          tf.withName("dense_MatMul").linalg.matMul(flat, denseKernel), tf.withName("dense_bias_read").identity(db));
      if (qat) {
        y = tf.withName("y").quantization.fakeQuantWithMinMaxVars(y, tf.constant(-8f), tf.constant(8f));
      } else {
        y = tf.withName("y").identity(y);
      }
      // A training op the signature does not need: freezing must leave it out.
      tf.withName("train_decay").assign(db, tf.math.mul(tf.identity(db), tf.constant(0.99f)));

      try (Session s = new Session(g)) {
        s.initialize();
        Signature sig = Signature.builder().key(Freezer.DEFAULT_SIGNATURE).input("x", x).output("y", y).build();
        SavedModelBundle.exporter(dir.toString()).withFunction(s.function(sig)).export();
      }
    }
    return dir;
  }

  private static Variable<TFloat32> variable(Ops tf, String name, Shape shape, float[] values) {
    return tf.withName(name).variable(tf.constant(shape, DataBuffers.of(values)));
  }

  private static float[] gaussian(Random rnd, int n, float scale) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) rnd.nextGaussian() * scale;
    }
    return v;
  }

  /**
   * Per-channel max |w| over the last dimension: TFLite needs symmetric per-channel weight ranges (zero
   * point 0), so QAT uses [-m, m] with narrow range.
   */
  static float[] channelAbsMax(float[] w, int channels) {
    float[] m = new float[channels];
    for (int i = 0; i < w.length; i++) {
      m[i % channels] = Math.max(m[i % channels], Math.abs(w[i]));
    }
    return m;
  }

  static float[] negate(float[] v) {
    float[] out = new float[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = -v[i];
    }
    return out;
  }

  /** A deterministic input batch in [-1, 1] of shape [batch, H, W, C], flattened. */
  public static float[] input(int batch, long seed) {
    Random rnd = new Random(seed);
    float[] v = new float[batch * H * W * C];
    for (int i = 0; i < v.length; i++) {
      v[i] = rnd.nextFloat() * 2 - 1;
    }
    return v;
  }
}
