package dev.compresso.model.keras;

import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.nn.LeakyRelu;
import org.tensorflow.types.TFloat32;

/** Dense, activation layers, inference-identity layers and Rescaling (Keras 3's {@code keras.layers.core}). */
final class CoreLayers {

  private CoreLayers() {}

  /** {@code Dense}: {@code activation(x @ kernel + bias)} on the last axis (rank > 2 reshaped around a MatMul). */
  static final LayerHandler DENSE = new LayerHandler() {
    @Override
    public List<WeightSpec> weights(LayerConfig c, List<long[]> in) {
      long[] s = in.get(0);
      long units = c.integer("units", -1);
      List<WeightSpec> w = new ArrayList<>(List.of(WeightSpec.trainable("kernel", s[s.length - 1], units)));
      if (c.bool("use_bias", true)) {
        w.add(WeightSpec.trainable("bias", units));
      }
      return w;
    }

    @Override
    public List<String> problems(LayerConfig c) {
      return activationProblems(c);
    }

    @Override
    public Operand<TFloat32> apply(LayerCall c) {
      long[] s = c.inputShape();
      Operand<TFloat32> x = c.input();
      int units = c.config().integer("units", -1);
      int in = (int) c.dim(s, s.length - 1);
      if (s.length != 2) {
        x = c.at("Reshape").reshape(x, c.ints("flat_shape", -1, in));
      }
      Operand<TFloat32> y = c.at("MatMul").linalg.matMul(x, c.weight("kernel"));
      if (c.hasWeight("bias")) {
        y = c.at("BiasAdd").nn.biasAdd(y, c.weight("bias"));
      }
      if (s.length != 2) {
        int[] out = new int[s.length];
        out[0] = -1;
        for (int i = 1; i < s.length - 1; i++) {
          out[i] = (int) c.dim(s, i);
        }
        out[s.length - 1] = units;
        y = c.at("Reshape_1").reshape(y, c.ints("out_shape", out));
      }
      return c.activation(y);
    }
  };

  /** {@code Activation}: the named activation function. */
  static final LayerHandler ACTIVATION = new LayerHandler() {
    @Override
    public List<String> problems(LayerConfig c) {
      return activationProblems(c);
    }

    @Override
    public Operand<TFloat32> apply(LayerCall c) {
      return c.activation(c.input());
    }
  };

  /**
   * {@code ReLU(max_value, negative_slope, threshold)} as Keras 3's {@code activations.relu}: LeakyRelu when only
   * a slope is set, else {@code relu} (relu6 for a max of 6), clipped at the max, minus {@code slope * relu(-x)}.
   */
  static final LayerHandler RELU = new LayerHandler() {
    @Override
    public List<String> problems(LayerConfig c) {
      return c.number("threshold", 0) != 0
          ? List.of(c.name() + " (ReLU): threshold " + c.number("threshold", 0) + " (only 0 is supported)") : List.of();
    }

    @Override
    public Operand<TFloat32> apply(LayerCall c) {
      Operand<TFloat32> x = c.input();
      float slope = (float) c.config().number("negative_slope", 0);
      boolean hasMax = c.config().has("max_value");
      float max = (float) c.config().number("max_value", 0);
      if (slope != 0 && !hasMax) {
        return c.at("LeakyRelu").nn.leakyRelu(x, LeakyRelu.alpha(slope));
      }
      Operand<TFloat32> y = hasMax && max == 6f ? c.at("Relu6").nn.relu6(x) : c.at("Relu").nn.relu(x);
      if (hasMax && max != 6f) {
        y = c.at("Minimum").math.minimum(y, c.scalar("max_value", max));
      }
      if (slope != 0) {
        Operand<TFloat32> negative = c.at("Relu_neg").nn.relu(c.at("Neg").math.neg(x));
        y = c.at("sub").math.sub(y, c.at("mul").math.mul(c.scalar("negative_slope", slope), negative));
      }
      return y;
    }
  };

  /** {@code LeakyReLU}: {@code negative_slope} (Keras 3) or {@code alpha} (Keras 2), default 0.3. */
  static final LayerHandler LEAKY_RELU = c -> {
    float slope = (float) c.config().number("negative_slope", c.config().number("alpha", 0.3));
    return c.at("LeakyRelu").nn.leakyRelu(c.input(), LeakyRelu.alpha(slope));
  };

  /** {@code ELU(alpha)}. */
  static final LayerHandler ELU = c -> Activations.elu(c, c.input(), (float) c.config().number("alpha", 1.0));

  /** {@code Softmax} on the last axis. */
  static final LayerHandler SOFTMAX = new LayerHandler() {
    @Override
    public List<String> problems(LayerConfig c) {
      List<Integer> axis = c.intList("axis");
      return axis.isEmpty() || axis.equals(List.of(-1)) ? List.of()
          : List.of(c.name() + " (Softmax): axis " + axis + " (only the last axis, -1, is supported)");
    }

    @Override
    public Operand<TFloat32> apply(LayerCall c) {
      return c.at("Softmax").nn.softmax(c.input());
    }
  };

  /**
   * {@code PReLU}: {@code relu(x) - alpha * relu(-x)}, one trainable slope per element of the input's non-batch
   * shape, shared (size 1) along {@code shared_axes}.
   */
  static final LayerHandler PRELU = new LayerHandler() {
    @Override
    public List<WeightSpec> weights(LayerConfig c, List<long[]> in) {
      long[] s = in.get(0);
      long[] shape = java.util.Arrays.copyOfRange(s, 1, s.length);
      for (int a : c.intList("shared_axes")) {
        if (a >= 1 && a <= shape.length) {
          shape[a - 1] = 1;
        }
      }
      return List.of(WeightSpec.trainable("alpha", shape));
    }

    @Override
    public Operand<TFloat32> apply(LayerCall c) {
      Operand<TFloat32> x = c.input();
      Operand<TFloat32> neg = c.at("mul").math.mul(c.weight("alpha"), c.at("Relu_1").nn.relu(c.at("Neg").math.neg(x)));
      return c.at("sub").math.sub(c.at("Relu").nn.relu(x), neg);
    }
  };

  /** Dropout, SpatialDropout, GaussianNoise, ...: the identity at inference. */
  static final LayerHandler IDENTITY = LayerCall::input;

  /** {@code Rescaling(scale, offset)}: {@code x * scale + offset} (scalars or per-channel lists). */
  static final LayerHandler RESCALING = c -> {
    Operand<TFloat32> y = c.at("mul").math.mul(c.input(), constant(c, "scale", 1.0));
    return c.at("add").math.add(y, constant(c, "offset", 0.0));
  };

  private static Operand<TFloat32> constant(LayerCall c, String key, double dflt) {
    if (c.config().has(key) && c.config().json().get(key).isJsonArray()
        && c.config().json().getAsJsonArray(key).size() > 1) {
      var a = c.config().json().getAsJsonArray(key);
      float[] v = new float[a.size()];
      for (int i = 0; i < v.length; i++) {
        v[i] = a.get(i).getAsFloat();
      }
      return c.at(key).constant(v);
    }
    return c.scalar(key, (float) c.config().number(key, dflt));
  }

  static List<String> activationProblems(LayerConfig c) {
    String a = c.activation();
    return Activations.supports(a) ? List.of()
        : List.of(c.name() + " (" + c.className() + "): activation '" + a + "' (supported: " + Activations.names() + ")");
  }
}
