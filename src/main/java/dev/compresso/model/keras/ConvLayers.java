package dev.compresso.model.keras;

import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.core.Split;
import org.tensorflow.op.nn.Conv2d;
import org.tensorflow.op.nn.Conv2dBackpropInput;
import org.tensorflow.op.nn.DepthwiseConv2dNative;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * Convolutions, channels last, as Keras 3's TensorFlow backend runs them: {@code Conv2D} (strides, dilation,
 * groups as one convolution per group, then concatenated), {@code Conv1D} as a {@code Conv2D} over an added
 * height of 1 (its kernel variable stored {@code [1, k, in, out]}; {@code causal} padding pads the left), {@code
 * Conv2DTranspose} as {@code Conv2DBackpropInput} with Keras' output size ({@code
 * compute_conv_transpose_output_length}), {@code DepthwiseConv2D} as {@code DepthwiseConv2dNative}, {@code
 * SeparableConv2D} as depthwise then 1x1 {@code Conv2D}.
 */
final class ConvLayers {

  private ConvLayers() {}

  private static List<String> common(LayerConfig c, int dims) {
    List<String> p = new ArrayList<>(CoreLayers.activationProblems(c));
    if (c.channelsFirst()) {
      p.add(c.name() + " (" + c.className() + "): data_format channels_first (only channels_last is supported)");
    }
    String pad = c.string("padding", "valid");
    if (!pad.equals("same") && !pad.equals("valid") && !(dims == 1 && pad.equals("causal"))) {
      p.add(c.name() + " (" + c.className() + "): padding '" + pad + "'");
    }
    return p;
  }

  private static List<Long> four(int a, int b) {
    return List.of(1L, (long) a, (long) b, 1L);
  }

  private static List<WeightSpec> kernelAndBias(LayerConfig c, long[] kernel, long[] variable, long filters) {
    List<WeightSpec> w = new ArrayList<>(List.of(WeightSpec.trainable("kernel", kernel).asVariable(variable)));
    if (c.bool("use_bias", true)) {
      w.add(WeightSpec.trainable("bias", filters));
    }
    return w;
  }

  /**
   * Whether a convolution of {@code groups} groups over {@code cin} input channels is a depthwise one (one
   * group per input channel, as ConvNeXt's 7x7 convolutions): built as {@code DepthwiseConv2dNative}, its
   * kernel variable stored as the depthwise {@code [h, w, cin, filters / cin]} (the same values in the same
   * order as Keras' {@code [h, w, 1, filters]}), not as {@code cin} one-channel convolutions.
   */
  static boolean depthwiseGroups(long groups, long cin, long filters, int strideH, int strideW) {
    return groups > 1 && groups == cin && filters % cin == 0 && strideH == strideW;
  }

  /** Conv2D of NHWC {@code x} with kernel {@code k} in {@code groups} groups. */
  private static Operand<TFloat32> conv(LayerCall c, Operand<TFloat32> x, Operand<TFloat32> k, int groups,
      List<Long> strides, List<Long> dilations, String padding) {
    Conv2d.Options opts = Conv2d.dilations(dilations);
    if (groups == 1) {
      return c.at("Conv2D").nn.conv2d(x, k, strides, padding, opts);
    }
    long[] xs0 = KerasGraph.shape(x);
    long[] ks0 = KerasGraph.shape(k);
    if (depthwiseGroups(groups, xs0[3], ks0[2] * ks0[3], strides.get(1).intValue(), strides.get(2).intValue())
        && ks0[2] == groups) {
      return c.at("depthwise").nn.depthwiseConv2dNative(x, k, strides, padding,
          DepthwiseConv2dNative.dilations(dilations));
    }
    Split<TFloat32> xs = c.at("split").split(c.axis("split_axis", 3), x, (long) groups);
    Split<TFloat32> ks = c.at("split_kernel").split(c.axis("split_kernel_axis", 3), k, (long) groups);
    List<Operand<TFloat32>> parts = new ArrayList<>();
    for (int g = 0; g < groups; g++) {
      parts.add(c.at("Conv2D").nn.conv2d(xs.output().get(g), ks.output().get(g), strides, padding, opts));
    }
    return c.at("concat").concat(parts, c.axis("concat_axis", 3));
  }

  private static Operand<TFloat32> biasAndActivation(LayerCall c, Operand<TFloat32> y) {
    if (c.hasWeight("bias")) {
      y = c.at("BiasAdd").nn.biasAdd(y, c.weight("bias"));
    }
    return c.activation(y);
  }

  static final LayerHandler CONV2D = new LayerHandler() {
    @Override
    public List<WeightSpec> weights(LayerConfig c, List<long[]> in) {
      int[] k = c.ints("kernel_size", 2, 1);
      long cin = in.get(0)[3];
      long filters = c.integer("filters", -1);
      long groups = c.integer("groups", 1);
      long[] shape = {k[0], k[1], cin / groups, filters};
      int[] s = c.ints("strides", 2, 1);
      long[] variable = depthwiseGroups(groups, cin, filters, s[0], s[1])
          ? new long[] {k[0], k[1], cin, filters / cin} : shape;
      return kernelAndBias(c, shape, variable, filters);
    }

    @Override
    public List<String> problems(LayerConfig c) {
      return common(c, 2);
    }

    @Override
    public Operand<TFloat32> apply(LayerCall c) {
      LayerConfig cfg = c.config();
      int[] s = cfg.ints("strides", 2, 1);
      int[] d = cfg.ints("dilation_rate", 2, 1);
      Operand<TFloat32> y = conv(c, c.input(), c.weight("kernel"), cfg.integer("groups", 1), four(s[0], s[1]),
          four(d[0], d[1]), cfg.string("padding", "valid").toUpperCase());
      return biasAndActivation(c, y);
    }
  };

  static final LayerHandler CONV1D = new LayerHandler() {
    @Override
    public List<WeightSpec> weights(LayerConfig c, List<long[]> in) {
      int k = c.ints("kernel_size", 1, 1)[0];
      long cin = in.get(0)[2];
      long filters = c.integer("filters", -1);
      long g = c.integer("groups", 1);
      long[] variable = depthwiseGroups(g, cin, filters, 1, c.ints("strides", 1, 1)[0])
          ? new long[] {1, k, cin, filters / cin} : new long[] {1, k, cin / g, filters};
      return kernelAndBias(c, new long[] {k, cin / g, filters}, variable, filters);
    }

    @Override
    public List<String> problems(LayerConfig c) {
      return common(c, 1);
    }

    @Override
    public Operand<TFloat32> apply(LayerCall c) {
      LayerConfig cfg = c.config();
      int s = cfg.ints("strides", 1, 1)[0];
      int d = cfg.ints("dilation_rate", 1, 1)[0];
      int k = cfg.ints("kernel_size", 1, 1)[0];
      String padding = cfg.string("padding", "valid");
      Operand<TFloat32> x = c.input();
      if (padding.equals("causal")) {
        x = c.at("Pad").pad(x, c.at("paddings").constant(new int[][] {{0, 0}, {(k - 1) * d, 0}, {0, 0}}),
            c.scalar("pad_value", 0f));
        padding = "valid";
      }
      x = c.at("ExpandDims").expandDims(x, c.axis("expand_axis", 1));
      Operand<TFloat32> y = conv(c, x, c.weight("kernel"), cfg.integer("groups", 1), four(1, s), four(1, d),
          padding.toUpperCase());
      y = c.at("Squeeze").squeeze(y, org.tensorflow.op.core.Squeeze.axis(List.of(1L)));
      return biasAndActivation(c, y);
    }
  };

  /** Keras' {@code compute_conv_transpose_output_length}. */
  static long transposeLength(long in, int kernel, String padding, Integer outputPadding, int stride, int dilation) {
    long k = kernel + (long) (kernel - 1) * (dilation - 1);
    if (outputPadding == null) {
      return padding.equals("valid") ? in * stride + Math.max(k - stride, 0) : in * stride;
    }
    long pad = padding.equals("same") ? k / 2 : 0;
    return (in - 1) * stride + k - 2 * pad + outputPadding;
  }

  static final LayerHandler CONV2D_TRANSPOSE = new LayerHandler() {
    @Override
    public List<WeightSpec> weights(LayerConfig c, List<long[]> in) {
      int[] k = c.ints("kernel_size", 2, 1);
      long filters = c.integer("filters", -1);
      long[] shape = {k[0], k[1], filters, in.get(0)[3]};
      return kernelAndBias(c, shape, shape, filters);
    }

    @Override
    public List<String> problems(LayerConfig c) {
      return common(c, 2);
    }

    @Override
    public Operand<TFloat32> apply(LayerCall c) {
      LayerConfig cfg = c.config();
      int[] k = cfg.ints("kernel_size", 2, 1);
      int[] s = cfg.ints("strides", 2, 1);
      int[] d = cfg.ints("dilation_rate", 2, 1);
      String padding = cfg.string("padding", "valid");
      int[] op = cfg.has("output_padding") ? cfg.ints("output_padding", 2, 0) : null;
      long[] in = c.inputShape();
      int h = (int) transposeLength(c.dim(in, 1), k[0], padding, op == null ? null : op[0], s[0], d[0]);
      int w = (int) transposeLength(c.dim(in, 2), k[1], padding, op == null ? null : op[1], s[1], d[1]);
      int filters = cfg.integer("filters", -1);
      Operand<TInt32> batch = c.at("strided_slice").slice(c.at("Shape").shape(c.input()), c.ints("begin", 0),
          c.ints("size", 1));
      Operand<TInt32> outShape = c.at("output_shape").concat(List.of(batch, c.ints("spatial", h, w, filters)),
          c.axis("axis", 0));
      Operand<TFloat32> y = c.at("conv2d_transpose").nn.conv2dBackpropInput(outShape, c.weight("kernel"), c.input(),
          four(s[0], s[1]), padding.toUpperCase(), Conv2dBackpropInput.dilations(four(d[0], d[1])));
      return biasAndActivation(c, y);
    }
  };

  static final LayerHandler DEPTHWISE_CONV2D = new LayerHandler() {
    @Override
    public List<WeightSpec> weights(LayerConfig c, List<long[]> in) {
      int[] k = c.ints("kernel_size", 2, 1);
      long cin = in.get(0)[3];
      long m = c.integer("depth_multiplier", 1);
      List<WeightSpec> w = new ArrayList<>(List.of(WeightSpec.trainable("kernel", k[0], k[1], cin, m)
          .alias("depthwise_kernel")));
      if (c.bool("use_bias", true)) {
        w.add(WeightSpec.trainable("bias", cin * m));
      }
      return w;
    }

    @Override
    public List<String> problems(LayerConfig c) {
      return common(c, 2);
    }

    @Override
    public Operand<TFloat32> apply(LayerCall c) {
      return biasAndActivation(c, depthwise(c, c.weight("kernel")));
    }
  };

  private static Operand<TFloat32> depthwise(LayerCall c, Operand<TFloat32> kernel) {
    LayerConfig cfg = c.config();
    int[] s = cfg.ints("strides", 2, 1);
    int[] d = cfg.ints("dilation_rate", 2, 1);
    return c.at("depthwise").nn.depthwiseConv2dNative(c.input(), kernel, four(s[0], s[1]),
        cfg.string("padding", "valid").toUpperCase(), DepthwiseConv2dNative.dilations(four(d[0], d[1])));
  }

  static final LayerHandler SEPARABLE_CONV2D = new LayerHandler() {
    @Override
    public List<WeightSpec> weights(LayerConfig c, List<long[]> in) {
      int[] k = c.ints("kernel_size", 2, 1);
      long cin = in.get(0)[3];
      long m = c.integer("depth_multiplier", 1);
      long filters = c.integer("filters", -1);
      List<WeightSpec> w = new ArrayList<>(List.of(WeightSpec.trainable("depthwise_kernel", k[0], k[1], cin, m),
          WeightSpec.trainable("pointwise_kernel", 1, 1, cin * m, filters)));
      if (c.bool("use_bias", true)) {
        w.add(WeightSpec.trainable("bias", filters));
      }
      return w;
    }

    @Override
    public List<String> problems(LayerConfig c) {
      return common(c, 2);
    }

    @Override
    public Operand<TFloat32> apply(LayerCall c) {
      Operand<TFloat32> y = depthwise(c, c.weight("depthwise_kernel"));
      y = c.at("Conv2D").nn.conv2d(y, c.weight("pointwise_kernel"), four(1, 1), "VALID");
      return biasAndActivation(c, y);
    }
  };
}
