package dev.compresso.model.keras;

import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.math.Mean;
import org.tensorflow.types.TFloat32;

/**
 * Normalization at inference, in the unfused form Keras 3's TensorFlow backend computes (and that
 * {@code quant.BatchNormFolding} folds): {@code BatchNormalization} as {@code x * s + (beta - mean * s)} with
 * {@code s = gamma * rsqrt(moving_variance + epsilon)}, the moving statistics frozen variables;
 * {@code LayerNormalization} as {@code x * inv + (beta - mean * inv)} with the moments over its axes and {@code
 * inv = gamma * rsqrt(variance + epsilon)}.
 */
final class NormalizationLayers {

  private NormalizationLayers() {}

  /** Normalized axes, non-negative, sorted as given. */
  static List<Integer> axes(LayerConfig c, int rank) {
    List<Integer> axes = c.intList("axis");
    if (axes.isEmpty()) {
      axes = List.of(-1);
    }
    List<Integer> out = new ArrayList<>();
    for (int a : axes) {
      out.add(a < 0 ? a + rank : a);
    }
    return out;
  }

  private static long[] paramShape(LayerConfig c, long[] in) {
    List<Integer> axes = axes(c, in.length);
    long[] s = new long[axes.size()];
    for (int i = 0; i < s.length; i++) {
      s[i] = in[axes.get(i)];
    }
    return s;
  }

  /** Reshapes a parameter to broadcast against the input, unless its axes are just the last one. */
  private static Operand<TFloat32> broadcast(LayerCall c, String name, Operand<TFloat32> p, long[] in) {
    List<Integer> axes = axes(c.config(), in.length);
    if (axes.equals(List.of(in.length - 1))) {
      return p;
    }
    int[] shape = new int[in.length];
    for (int i = 0; i < in.length; i++) {
      shape[i] = axes.contains(i) ? (int) in[i] : 1;
    }
    return c.at(name + "/Reshape").reshape(p, c.ints(name + "/shape", shape));
  }

  static final LayerHandler BATCH_NORMALIZATION = new LayerHandler() {
    @Override
    public List<WeightSpec> weights(LayerConfig c, List<long[]> in) {
      long[] s = paramShape(c, in.get(0));
      List<WeightSpec> w = new ArrayList<>();
      if (c.bool("scale", true)) {
        w.add(WeightSpec.trainable("gamma", s));
      }
      if (c.bool("center", true)) {
        w.add(WeightSpec.trainable("beta", s));
      }
      w.add(WeightSpec.statistic("moving_mean", s));
      w.add(WeightSpec.statistic("moving_variance", s));
      return w;
    }

    @Override
    public List<String> problems(LayerConfig c) {
      List<String> p = new ArrayList<>();
      if (c.intList("axis").size() > 1) {
        p.add(c.name() + " (BatchNormalization): axis " + c.intList("axis") + " (one axis is supported)");
      }
      if (c.bool("renorm", false)) {
        p.add(c.name() + " (BatchNormalization): renorm true");
      }
      return p;
    }

    @Override
    public Operand<TFloat32> apply(LayerCall c) {
      long[] in = c.inputShape();
      float eps = (float) c.config().number("epsilon", 1e-3);
      Operand<TFloat32> inv = c.at("batchnorm/Rsqrt").math.rsqrt(
          c.at("batchnorm/add").math.add(c.weight("moving_variance"), c.scalar("batchnorm/epsilon", eps)));
      Operand<TFloat32> s = c.hasWeight("gamma") ? c.at("batchnorm/mul").math.mul(inv, c.weight("gamma")) : inv;
      Operand<TFloat32> meanS = c.at("batchnorm/mul_2").math.mul(c.weight("moving_mean"), s);
      Operand<TFloat32> t = c.hasWeight("beta") ? c.at("batchnorm/sub").math.sub(c.weight("beta"), meanS)
          : c.at("batchnorm/Neg").math.neg(meanS);
      Operand<TFloat32> y = c.at("batchnorm/mul_1").math.mul(c.input(), broadcast(c, "scale", s, in));
      return c.at("batchnorm/add_1").math.add(y, broadcast(c, "shift", t, in));
    }
  };

  /**
   * {@code Normalization} (Keras' preprocessing layer, EfficientNet's first layers): {@code (x - mean) /
   * max(sqrt(variance), 1e-7)}, or {@code mean + x * max(sqrt(variance), 1e-7)} when {@code invert}; mean and
   * variance from the config when it gives them, else the adapted weights {@code mean}, {@code variance} (and the
   * sample {@code count}, which no output uses), per kept axis.
   */
  static final LayerHandler NORMALIZATION = new LayerHandler() {
    @Override
    public List<WeightSpec> weights(LayerConfig c, List<long[]> in) {
      if (c.has("mean")) {
        return List.of();
      }
      long[] s = paramShape(c, in.get(0));
      return List.of(WeightSpec.statistic("mean", s), WeightSpec.statistic("variance", s), WeightSpec.counter("count"));
    }

    @Override
    public List<String> problems(LayerConfig c) {
      return c.has("mean") != c.has("variance")
          ? List.of(c.name() + " (Normalization): mean and variance must be given together") : List.of();
    }

    @Override
    public Operand<TFloat32> apply(LayerCall c) {
      long[] in = c.inputShape();
      Operand<TFloat32> mean;
      Operand<TFloat32> variance;
      if (c.config().has("mean")) {
        mean = c.at("mean").constant(floats(c.config(), "mean"));
        variance = c.at("variance").constant(floats(c.config(), "variance"));
      } else {
        mean = c.weight("mean");
        variance = c.weight("variance");
      }
      if (KerasGraph.shape(mean).length > 0) {
        mean = broadcast(c, "mean", mean, in);
        variance = broadcast(c, "variance", variance, in);
      }
      Operand<TFloat32> std = c.at("Maximum").math.maximum(c.at("Sqrt").math.sqrt(variance), c.scalar("epsilon", 1e-7f));
      if (c.config().bool("invert", false)) {
        return c.at("add").math.add(mean, c.at("mul").math.mul(c.input(), std));
      }
      return c.at("truediv").math.div(c.at("sub").math.sub(c.input(), mean), std);
    }
  };

  /** A config entry as float32 values: a number or a (nested) list of numbers, flattened. */
  private static float[] floats(LayerConfig c, String key) {
    List<Float> out = new ArrayList<>();
    flatten(c.json().get(key), out);
    float[] v = new float[out.size()];
    for (int i = 0; i < v.length; i++) {
      v[i] = out.get(i);
    }
    return v;
  }

  private static void flatten(com.google.gson.JsonElement e, List<Float> out) {
    if (e.isJsonArray()) {
      e.getAsJsonArray().forEach(x -> flatten(x, out));
    } else {
      out.add(e.getAsFloat());
    }
  }

  static final LayerHandler LAYER_NORMALIZATION = new LayerHandler() {
    @Override
    public List<WeightSpec> weights(LayerConfig c, List<long[]> in) {
      long[] s = paramShape(c, in.get(0));
      List<WeightSpec> w = new ArrayList<>();
      if (c.bool("scale", true)) {
        w.add(WeightSpec.trainable("gamma", s));
      }
      if (c.bool("center", true)) {
        w.add(WeightSpec.trainable("beta", s));
      }
      return w;
    }

    @Override
    public List<String> problems(LayerConfig c) {
      return c.bool("rms_scaling", false) ? List.of(c.name() + " (LayerNormalization): rms_scaling true") : List.of();
    }

    @Override
    public Operand<TFloat32> apply(LayerCall c) {
      long[] in = c.inputShape();
      List<Integer> axes = axes(c.config(), in.length);
      int[] ax = axes.stream().mapToInt(Integer::intValue).toArray();
      Operand<TFloat32> x = c.input();
      float eps = (float) c.config().number("epsilon", 1e-3);
      Operand<TFloat32> mean = c.at("moments/mean").math.mean(x, c.ints("moments/axes", ax), Mean.keepDims(true));
      Operand<TFloat32> variance = c.at("moments/variance").math.mean(
          c.at("moments/SquaredDifference").math.squaredDifference(x, mean), c.ints("moments/axes_1", ax),
          Mean.keepDims(true));
      Operand<TFloat32> inv = c.at("Rsqrt").math.rsqrt(c.at("add").math.add(variance, c.scalar("epsilon", eps)));
      if (c.hasWeight("gamma")) {
        inv = c.at("mul").math.mul(inv, broadcast(c, "gamma", c.weight("gamma"), in));
      }
      Operand<TFloat32> res = c.at("mul_1").math.mul(c.at("Neg").math.neg(mean), inv);
      if (c.hasWeight("beta")) {
        res = c.at("add_1").math.add(res, broadcast(c, "beta", c.weight("beta"), in));
      }
      return c.at("add_2").math.add(c.at("mul_2").math.mul(x, inv), res);
    }
  };
}
