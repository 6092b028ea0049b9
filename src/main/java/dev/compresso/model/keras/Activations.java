package dev.compresso.model.keras;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/**
 * Keras 3's activation functions ({@code keras.activations}) as TF ops the TFLite converter handles, one entry
 * per name in one table. Formulas follow Keras 3's TensorFlow backend ({@code keras/src/backend/tensorflow/nn.py}):
 * {@code hard_sigmoid(x) = relu6(x + 3) / 6}, {@code hard_swish(x) = x * hard_sigmoid(x)}, {@code swish(x) = x *
 * sigmoid(x)}, exact {@code gelu(x) = 0.5 x (1 + erf(x / sqrt 2))}, {@code selu(x) = scale * elu(x, alpha)} with
 * Klambauer et al.'s constants.
 */
final class Activations {

  /** One activation: {@code x} to its output, ops named under the call's scope. */
  @FunctionalInterface
  interface Fn {
    Operand<TFloat32> apply(LayerCall c, Operand<TFloat32> x);
  }

  /** SELU's constants (Klambauer et al., "Self-Normalizing Neural Networks", 2017), as Keras has them. */
  static final float SELU_ALPHA = 1.6732632423543772f;
  static final float SELU_SCALE = 1.0507009873554805f;

  private static final Map<String, Fn> TABLE = build();

  private Activations() {}

  private static Map<String, Fn> build() {
    Map<String, Fn> t = new LinkedHashMap<>();
    add(t, "linear", (c, x) -> x);
    add(t, "relu", (c, x) -> c.at("Relu").nn.relu(x));
    add(t, "relu6", (c, x) -> c.at("Relu6").nn.relu6(x));
    add(t, "sigmoid", (c, x) -> c.at("Sigmoid").math.sigmoid(x));
    add(t, "tanh", (c, x) -> c.at("Tanh").math.tanh(x));
    add(t, "softmax", (c, x) -> c.at("Softmax").nn.softmax(x));
    add(t, "swish", Activations::swish);
    add(t, "silu", Activations::swish);
    add(t, "gelu", Activations::gelu);
    add(t, "hard_sigmoid", Activations::hardSigmoid);
    add(t, "hard_swish", (c, x) -> c.at("hard_swish").math.mul(x, hardSigmoid(c, x)));
    add(t, "hard_silu", (c, x) -> c.at("hard_silu").math.mul(x, hardSigmoid(c, x)));
    add(t, "elu", (c, x) -> c.at("Elu").nn.elu(x));
    add(t, "selu", (c, x) -> c.at("selu").math.mul(c.scalar("selu_scale", SELU_SCALE), elu(c, x, SELU_ALPHA)));
    add(t, "leaky_relu", (c, x) -> c.at("LeakyRelu").nn.leakyRelu(x,
        org.tensorflow.op.nn.LeakyRelu.alpha(0.2f)));
    return Collections.unmodifiableMap(t);
  }

  private static void add(Map<String, Fn> t, String name, Fn fn) {
    if (t.putIfAbsent(name, fn) != null) {
      throw new IllegalStateException("activation registered twice: " + name);
    }
  }

  static boolean supports(String name) {
    return TABLE.containsKey(name);
  }

  static Set<String> names() {
    return new TreeSet<>(TABLE.keySet());
  }

  static Operand<TFloat32> apply(String name, LayerCall c, Operand<TFloat32> x) {
    Fn fn = TABLE.get(name);
    if (fn == null) {
      throw c.bad("has activation '" + name + "'; supported activations: " + names());
    }
    return fn.apply(c, x);
  }

  static Operand<TFloat32> swish(LayerCall c, Operand<TFloat32> x) {
    return c.at("swish").math.mul(x, c.at("Sigmoid").math.sigmoid(x));
  }

  static Operand<TFloat32> hardSigmoid(LayerCall c, Operand<TFloat32> x) {
    Operand<TFloat32> r = c.at("hard_sigmoid/Relu6").nn.relu6(
        c.at("hard_sigmoid/add").math.add(x, c.scalar("hard_sigmoid/three", 3f)));
    return c.at("hard_sigmoid").math.div(r, c.scalar("hard_sigmoid/six", 6f));
  }

  /**
   * {@code (x * 0.5) * (erf(x * (1 / sqrt 2)) + 1)}: exactly the operand order of the TFLite converter's GELU
   * fusion ({@code MatchGelu} in {@code optimize_patterns.td}), since TFLite has no {@code Erf} op of its own.
   */
  static Operand<TFloat32> gelu(LayerCall c, Operand<TFloat32> x) {
    Operand<TFloat32> half = c.at("gelu/mul").math.mul(x, c.scalar("gelu/half", 0.5f));
    Operand<TFloat32> erf = c.at("gelu/Erf").math.erf(
        c.at("gelu/mul_1").math.mul(x, c.scalar("gelu/inv_sqrt2", (float) (1 / Math.sqrt(2.0)))));
    Operand<TFloat32> onePlus = c.at("gelu/add").math.add(erf, c.scalar("gelu/one", 1f));
    return c.at("gelu").math.mul(half, onePlus);
  }

  /** {@code elu(x, alpha) = relu(x) + alpha * elu(min(x, 0))}: equal to Keras' {@code where(x > 0, elu, alpha elu)}. */
  static Operand<TFloat32> elu(LayerCall c, Operand<TFloat32> x, float alpha) {
    if (alpha == 1f) {
      return c.at("Elu").nn.elu(x);
    }
    Operand<TFloat32> neg = c.at("elu/Elu").nn.elu(c.at("elu/Minimum").math.minimum(x, c.scalar("elu/zero", 0f)));
    return c.at("elu").math.add(c.at("elu/Relu").nn.relu(x),
        c.at("elu/mul").math.mul(c.scalar("elu/alpha", alpha), neg));
  }
}
