package dev.compresso.families;

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
import org.tensorflow.proto.DataType;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;

/**
 * The model families people bring to an Edge TPU, assembled block by block in TF Java as Keras' layers compute
 * them and exported as TF1 SavedModels (ref variables): MobileNetV1 (depthwise-separable, ReLU6), MobileNetV2
 * (inverted residuals), MobileNetV3-Small (hard-swish, squeeze-excite with hard-sigmoid), an
 * EfficientNet-lite MBConv net (ReLU6, no SE), an MBConv with swish and SE, a small ResNet (biased convs then
 * batch norm, residual Add), a DS-CNN for 49x10x1 audio features, and a segmentation net with an ArgMax head.
 * Batch norm is written in both forms exporters use (Keras 3's decomposed {@code Rsqrt} chain and {@code
 * FusedBatchNormV3}), with statistics far from the identity. Widths are small so each family converts in
 * about a second; these are not Keras' files (no Keras could be installed here), but the same graphs.
 */
public final class ModelFamilies {

  /** One family: its input shape (no batch) and whether its output is a class map (ArgMax). */
  public enum Family {
    MOBILENET_V1(32, 32, 3),
    MOBILENET_V2(32, 32, 3),
    MOBILENET_V3_SMALL(32, 32, 3),
    EFFICIENTNET_LITE(32, 32, 3),
    MBCONV_SWISH_SE(32, 32, 3),
    RESNET(32, 32, 3),
    DS_CNN(49, 10, 1),
    SEGMENTATION_ARGMAX(32, 32, 3);

    public final long[] input;

    Family(long... input) {
      this.input = input;
    }

    public boolean classMap() {
      return this == SEGMENTATION_ARGMAX;
    }
  }

  private ModelFamilies() {}

  /** Writes {@code family} as a SavedModel (signature {@code serving_default}, input {@code x}, output {@code y}). */
  public static void export(Family family, Path dir) {
    export(family, dir, false);
  }

  /**
   * As {@link #export(Family, Path)}; with {@code decomposedOnly} every batch norm is Keras 3's decomposed form
   * (what {@code model.export()} writes), none {@code FusedBatchNormV3}.
   */
  public static void export(Family family, Path dir, boolean decomposedOnly) {
    try (Graph g = new Graph()) {
      Net n = new Net(Ops.create(g), new Random(family.ordinal() + 100));
      n.decomposedOnly = decomposedOnly;
      long[] in = family.input;
      Placeholder<TFloat32> x = n.tf.withName("x").placeholder(TFloat32.class,
          Placeholder.shape(Shape.of(-1, in[0], in[1], in[2])));
      Operand<?> y = switch (family) {
        case MOBILENET_V1 -> mobilenetV1(n, x);
        case MOBILENET_V2 -> mobilenetV2(n, x);
        case MOBILENET_V3_SMALL -> mobilenetV3Small(n, x);
        case EFFICIENTNET_LITE -> efficientnetLite(n, x);
        case MBCONV_SWISH_SE -> mbconvSwishSe(n, x);
        case RESNET -> resnet(n, x);
        case DS_CNN -> dsCnn(n, x);
        case SEGMENTATION_ARGMAX -> segmentation(n, x);
      };
      try (Session s = new Session(g)) {
        s.initialize();
        SavedModelBundle.exporter(dir.toString()).withSession(s).withSignature(Signature.builder()
            .key("serving_default").input("x", x).output("y", n.tf.withName("y").identity(y)).build()).export();
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }
  }

  private static Operand<TFloat32> mobilenetV1(Net n, Operand<TFloat32> x) {
    Operand<TFloat32> h = n.relu6(n.bn(n.conv(x, 3, 2, 8, false), false));
    int[][] blocks = {{16, 1}, {32, 2}, {32, 1}, {64, 2}};
    for (int[] b : blocks) {
      h = n.relu6(n.bn(n.depthwise(h, 3, b[1], 1), true));
      h = n.relu6(n.bn(n.conv(h, 1, 1, b[0], false), false));
    }
    return n.classifier(h, 10);
  }

  private static Operand<TFloat32> mobilenetV2(Net n, Operand<TFloat32> x) {
    Operand<TFloat32> h = n.relu6(n.bn(n.conv(x, 3, 2, 8, false), false));
    h = invertedResidual(n, h, 1, 8, 1, false, Act.RELU6, false);
    h = invertedResidual(n, h, 4, 16, 2, false, Act.RELU6, false);
    h = invertedResidual(n, h, 4, 16, 1, false, Act.RELU6, true);
    h = invertedResidual(n, h, 4, 24, 2, false, Act.RELU6, false);
    h = n.relu6(n.bn(n.conv(h, 1, 1, 64, false), false));
    return n.classifier(h, 10);
  }

  private static Operand<TFloat32> mobilenetV3Small(Net n, Operand<TFloat32> x) {
    Operand<TFloat32> h = n.hardSwish(n.bn(n.conv(x, 3, 2, 8, false), false));
    h = invertedResidual(n, h, 1, 8, 2, true, Act.RELU, false);
    h = invertedResidual(n, h, 4, 16, 2, false, Act.RELU, false);
    h = invertedResidual(n, h, 3, 16, 1, true, Act.HARD_SWISH, true);
    h = n.hardSwish(n.bn(n.conv(h, 1, 1, 48, false), false));
    h = n.gap(h);
    h = n.hardSwish(n.dense(h, 32));
    return n.tf.nn.softmax(n.dense(h, 10));
  }

  private static Operand<TFloat32> efficientnetLite(Net n, Operand<TFloat32> x) {
    Operand<TFloat32> h = n.relu6(n.bn(n.conv(x, 3, 2, 16, false), true));
    h = invertedResidual(n, h, 1, 8, 1, false, Act.RELU6, false);
    h = invertedResidual(n, h, 6, 16, 2, false, Act.RELU6, false);
    h = invertedResidual(n, h, 6, 16, 1, false, Act.RELU6, true);
    h = invertedResidual(n, h, 6, 24, 2, false, Act.RELU6, false);
    h = n.relu6(n.bn(n.conv(h, 1, 1, 64, false), true));
    return n.classifier(h, 10);
  }

  private static Operand<TFloat32> mbconvSwishSe(Net n, Operand<TFloat32> x) {
    Operand<TFloat32> h = n.swish(n.bn(n.conv(x, 3, 2, 16, false), false));
    h = invertedResidual(n, h, 1, 16, 1, true, Act.SWISH, true);
    h = invertedResidual(n, h, 4, 24, 2, true, Act.SWISH, false);
    h = n.swish(n.bn(n.conv(h, 1, 1, 64, false), false));
    return n.classifier(h, 10);
  }

  private static Operand<TFloat32> resnet(Net n, Operand<TFloat32> x) {
    // MLPerf Tiny's ResNet-8: convs with their own bias, then batch norm (Keras 3 writes the bias as
    // BiasAdd(conv, Squeeze(Reshape(bias)))).
    Operand<TFloat32> h = n.relu(n.bn(n.conv(x, 3, 1, 16, true), false));
    int[][] stages = {{16, 1}, {32, 2}, {64, 2}};
    for (int[] s : stages) {
      Operand<TFloat32> a = n.relu(n.bn(n.conv(h, 3, s[1], s[0], true), false));
      a = n.bn(n.conv(a, 3, 1, s[0], true), false);
      Operand<TFloat32> shortcut = s[1] == 1 ? h : n.conv(h, 1, s[1], s[0], true);
      h = n.relu(n.tf.math.add(shortcut, a));
    }
    return n.classifier(h, 10);
  }

  private static Operand<TFloat32> dsCnn(Net n, Operand<TFloat32> x) {
    Operand<TFloat32> h = n.relu(n.bn(n.conv(x, new long[] {10, 4}, new long[] {2, 2}, 32, true), true));
    for (int i = 0; i < 3; i++) {
      h = n.relu(n.bn(n.depthwise(h, 3, 1, 1), true));
      h = n.relu(n.bn(n.conv(h, 1, 1, 32, false), true));
    }
    return n.classifier(h, 12);
  }

  private static Operand<?> segmentation(Net n, Operand<TFloat32> x) {
    Operand<TFloat32> skip = n.relu(n.bn(n.conv(x, 3, 1, 8, false), false));
    Operand<TFloat32> h = n.relu(n.bn(n.conv(skip, 3, 2, 16, false), false));
    h = n.relu(n.bn(n.depthwise(h, 3, 1, 1), false));
    h = n.relu(n.bn(n.conv(h, 1, 1, 16, false), false));
    h = n.tf.image.resizeBilinear(h, n.tf.constant(new int[] {32, 32}));
    h = n.tf.concat(List.of(h, skip), n.tf.constant(3));
    h = n.relu(n.bn(n.conv(h, 3, 1, 8, false), false));
    Operand<TFloat32> logits = n.conv(h, 1, 1, 4, true);
    return n.tf.math.argMax(logits, n.tf.constant(3), TInt64.class);
  }

  private enum Act { RELU, RELU6, HARD_SWISH, SWISH }

  /** MBConv / inverted residual: expand 1x1 + BN + act, depthwise + BN + act, [SE], project 1x1 + BN, [+ x]. */
  private static Operand<TFloat32> invertedResidual(Net n, Operand<TFloat32> x, int expand, int out, int stride,
      boolean se, Act act, boolean residual) {
    long in = n.channels(x);
    Operand<TFloat32> h = x;
    if (expand != 1) {
      h = n.act(n.bn(n.conv(h, 1, 1, (int) in * expand, false), false), act);
    }
    h = n.act(n.bn(n.depthwise(h, 3, stride, 1), true), act);
    if (se) {
      h = n.squeezeExcite(h, Math.max(4, (int) n.channels(h) / 4), act == Act.SWISH);
    }
    h = n.bn(n.conv(h, 1, 1, out, false), false);
    return residual ? n.tf.math.add(x, h) : h;
  }

  /** Layer helpers; variables are ref variables read through {@code Identity}, as the importer makes them. */
  private static final class Net {
    final Ops tf;
    final Random rnd;
    int id;
    boolean decomposedOnly;

    Net(Ops tf, Random rnd) {
      this.tf = tf;
      this.rnd = rnd;
    }

    long channels(Operand<TFloat32> x) {
      return x.shape().size(x.shape().numDimensions() - 1);
    }

    Operand<TFloat32> conv(Operand<TFloat32> x, int k, int s, int out, boolean bias) {
      return conv(x, new long[] {k, k}, new long[] {s, s}, out, bias);
    }

    Operand<TFloat32> conv(Operand<TFloat32> x, long[] k, long[] s, int out, boolean bias) {
      long in = channels(x);
      Operand<TFloat32> y = tf.nn.conv2d(x, weight("conv", (float) Math.sqrt(2.0 / (k[0] * k[1] * in)),
          k[0], k[1], in, out), List.of(1L, s[0], s[1], 1L), "SAME");
      if (!bias) {
        return y;
      }
      Operand<TFloat32> b = tf.squeeze(tf.reshape(weight("bias", 0.1f, out), tf.constant(new int[] {1, 1, 1, out})));
      return tf.nn.biasAdd(y, b);
    }

    Operand<TFloat32> depthwise(Operand<TFloat32> x, int k, int s, int mult) {
      long in = channels(x);
      return tf.nn.depthwiseConv2dNative(x, weight("dw", (float) Math.sqrt(2.0 / (k * k)), k, k, in, mult),
          List.of(1L, (long) s, (long) s, 1L), "SAME");
    }

    Operand<TFloat32> dense(Operand<TFloat32> x, int out) {
      long in = channels(x);
      return tf.nn.biasAdd(tf.linalg.matMul(x, weight("dense", (float) Math.sqrt(1.0 / in), in, out)),
          weight("dense_bias", 0.1f, out));
    }

    Operand<TFloat32> gap(Operand<TFloat32> x) {
      return tf.math.mean(x, tf.constant(new int[] {1, 2}));
    }

    Operand<TFloat32> classifier(Operand<TFloat32> x, int classes) {
      return tf.nn.softmax(dense(gap(x), classes));
    }

    /** Batch norm: {@code FusedBatchNormV3} (inference) or Keras 3's {@code x * inv + (beta - mean * inv)}. */
    Operand<TFloat32> bn(Operand<TFloat32> x, boolean fused) {
      int c = (int) channels(x);
      Operand<TFloat32> gamma = stat("gamma", 0.6f, 1.4f, c);
      Operand<TFloat32> beta = stat("beta", -0.3f, 0.3f, c);
      Operand<TFloat32> mean = stat("moving_mean", -0.3f, 0.3f, c);
      Operand<TFloat32> var = stat("moving_variance", 0.5f, 2f, c);
      if (fused && !decomposedOnly) {
        return tf.scope().env().opBuilder("FusedBatchNormV3", "bn_fused_" + (id++), tf.scope())
            .addInput(x.asOutput()).addInput(gamma.asOutput()).addInput(beta.asOutput()).addInput(mean.asOutput())
            .addInput(var.asOutput()).setAttr("epsilon", 1e-3f).setAttr("is_training", false)
            .setAttr("U", DataType.DT_FLOAT).build().<TFloat32>output(0);
      }
      Operand<TFloat32> inv = tf.math.mul(tf.math.rsqrt(tf.math.add(var, tf.constant(1e-3f))), gamma);
      return tf.math.add(tf.math.mul(x, inv), tf.math.sub(beta, tf.math.mul(mean, inv)));
    }

    Operand<TFloat32> relu(Operand<TFloat32> x) {
      return tf.nn.relu(x);
    }

    Operand<TFloat32> relu6(Operand<TFloat32> x) {
      return tf.nn.relu6(x);
    }

    /** Keras' {@code hard_swish}: {@code x * relu6(x + 3) / 6}. */
    Operand<TFloat32> hardSwish(Operand<TFloat32> x) {
      return tf.math.mul(x, hardSigmoid(x));
    }

    /** Keras 3's {@code hard_sigmoid}: {@code relu6(x + 3) / 6}. */
    Operand<TFloat32> hardSigmoid(Operand<TFloat32> x) {
      return tf.math.div(tf.nn.relu6(tf.math.add(x, tf.constant(3f))), tf.constant(6f));
    }

    Operand<TFloat32> swish(Operand<TFloat32> x) {
      return tf.math.mul(x, tf.math.sigmoid(x));
    }

    Operand<TFloat32> act(Operand<TFloat32> x, Act a) {
      return switch (a) {
        case RELU -> relu(x);
        case RELU6 -> relu6(x);
        case HARD_SWISH -> hardSwish(x);
        case SWISH -> swish(x);
      };
    }

    /** Squeeze-excite: mean over H, W (kept), 1x1 conv + act, 1x1 conv + (hard-)sigmoid, times x. */
    Operand<TFloat32> squeezeExcite(Operand<TFloat32> x, int squeeze, boolean swish) {
      int c = (int) channels(x);
      Operand<TFloat32> s = tf.math.mean(x, tf.constant(new int[] {1, 2}), org.tensorflow.op.math.Mean.keepDims(true));
      s = conv(s, 1, 1, squeeze, true);
      s = swish ? swish(s) : relu(s);
      s = conv(s, 1, 1, c, true);
      s = swish ? tf.math.sigmoid(s) : hardSigmoid(s);
      return tf.math.mul(x, s);
    }

    private Operand<TFloat32> stat(String name, float lo, float hi, int n) {
      float[] v = new float[n];
      for (int i = 0; i < n; i++) {
        v[i] = lo + (hi - lo) * rnd.nextFloat();
      }
      return tf.identity(tf.withName(name + "_" + (id++)).variable(tf.constant(v)));
    }

    private Operand<TFloat32> weight(String name, float scale, long... shape) {
      int n = 1;
      for (long d : shape) {
        n *= (int) d;
      }
      float[] v = new float[n];
      for (int i = 0; i < n; i++) {
        v[i] = (float) rnd.nextGaussian() * scale;
      }
      return tf.identity(tf.withName(name + "_" + (id++)).variable(tf.reshape(tf.constant(v), tf.constant(shape))));
    }
  }
}
