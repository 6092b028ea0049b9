package dev.compresso.model.keras;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.tensorflow.Operand;
import org.tensorflow.op.core.Max;
import org.tensorflow.op.core.Squeeze;
import org.tensorflow.op.core.ReduceSum;
import org.tensorflow.op.math.Mean;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.family.TNumber;

/**
 * The one table from Keras 3 operation class to its TF ops: the nodes a functional model records when it applies
 * {@code keras.ops} to a tensor ({@code x + 3.0}, {@code x * (1/6)}, {@code ops.relu6(x)}, {@code ops.mean(x,
 * axis)}), which {@code keras.applications} use (MobileNetV3's hard-swish and squeeze-excite, for one). Such a
 * node is saved with module {@code keras.src.ops.numpy}/{@code nn}/{@code core}, its parameters in its config
 * ({@code axis}, {@code keepdims}, {@code newshape}) and its constants among its positional arguments
 * ({@link LayerCall#operands()}); semantics as Keras 3's TensorFlow backend ({@code keras/src/backend/tensorflow/
 * numpy.py}, {@code nn.py}).
 */
final class KerasOperations {

  private static final Map<String, LayerHandler> TABLE = build();

  private KerasOperations() {}

  @FunctionalInterface
  private interface Binary {
    Operand<TFloat32> apply(LayerCall c, Operand<TFloat32> a, Operand<TFloat32> b);
  }

  private static Map<String, LayerHandler> build() {
    Map<String, LayerHandler> t = new LinkedHashMap<>();
    add(t, "Add", binary((c, a, b) -> c.at("add").math.add(a, b)));
    add(t, "Subtract", binary((c, a, b) -> c.at("sub").math.sub(a, b)));
    add(t, "Multiply", binary((c, a, b) -> c.at("mul").math.mul(a, b)));
    add(t, "TrueDivide", binary((c, a, b) -> c.at("truediv").math.div(a, b)));
    add(t, "Divide", binary((c, a, b) -> c.at("truediv").math.div(a, b)));
    add(t, "Maximum", binary((c, a, b) -> c.at("Maximum").math.maximum(a, b)));
    add(t, "Minimum", binary((c, a, b) -> c.at("Minimum").math.minimum(a, b)));
    add(t, "Power", binary((c, a, b) -> c.at("Pow").math.pow(a, b)));
    add(t, "Negative", unary((c, x) -> c.at("Neg").math.neg(x)));
    add(t, "Absolute", unary((c, x) -> c.at("Abs").math.abs(x)));
    add(t, "Abs", unary((c, x) -> c.at("Abs").math.abs(x)));
    add(t, "Sqrt", unary((c, x) -> c.at("Sqrt").math.sqrt(x)));
    add(t, "Square", unary((c, x) -> c.at("Square").math.square(x)));
    add(t, "Exp", unary((c, x) -> c.at("Exp").math.exp(x)));
    add(t, "Log", unary((c, x) -> c.at("Log").math.log(x)));
    add(t, "Tanh", unary((c, x) -> c.at("Tanh").math.tanh(x)));
    for (String[] a : new String[][] {{"Relu", "relu"}, {"Relu6", "relu6"}, {"Sigmoid", "sigmoid"},
        {"HardSigmoid", "hard_sigmoid"}, {"HardSilu", "hard_silu"}, {"HardSwish", "hard_swish"}, {"Silu", "silu"},
        {"Swish", "swish"}, {"Elu", "elu"}, {"Selu", "selu"}}) {
      String name = a[1];
      add(t, a[0], unary((c, x) -> Activations.apply(name, c, x)));
    }
    add(t, "Softmax", new LayerHandler() {
      @Override
      public List<String> problems(LayerConfig c) {
        return c.integer("axis", -1) == -1 ? List.of()
            : List.of(c.name() + " (keras.ops Softmax): axis " + c.integer("axis", -1) + " (only the last axis, -1)");
      }

      @Override
      public Operand<TFloat32> apply(LayerCall c) {
        return c.at("Softmax").nn.softmax(c.input());
      }
    });
    add(t, "Clip", c -> {
      Operand<TFloat32> x = c.at("Maximum").math.maximum(c.input(),
          c.scalar("x_min", (float) c.config().number("x_min", Float.NEGATIVE_INFINITY)));
      return c.at("Minimum").math.minimum(x, c.scalar("x_max", (float) c.config().number("x_max",
          Float.POSITIVE_INFINITY)));
    });
    add(t, "Mean", c -> c.at("Mean").math.mean(c.input(), reduceAxes(c), Mean.keepDims(keepDims(c))));
    add(t, "Sum", c -> c.at("Sum").reduceSum(c.input(), reduceAxes(c), ReduceSum.keepDims(keepDims(c))));
    add(t, "Max", c -> c.at("Max").max(c.input(), reduceAxes(c), Max.keepDims(keepDims(c))));
    add(t, "Reshape", c -> c.at("Reshape").reshape(c.input(), c.ints("shape", ints(c, "newshape"))));
    add(t, "Transpose", c -> {
      int rank = KerasGraph.shape(c.input()).length;
      int[] perm = c.config().has("axes") ? ints(c, "axes") : reversed(rank);
      return c.at("transpose").linalg.transpose(c.input(), c.ints("perm", perm));
    });
    add(t, "ExpandDims", c -> {
      Operand<TFloat32> y = c.input();
      for (int a : ints(c, "axis")) {
        y = c.at("ExpandDims").expandDims(y, c.axis("axis", a));
      }
      return y;
    });
    add(t, "Squeeze", c -> {
      int rank = KerasGraph.shape(c.input()).length;
      if (!c.config().has("axis")) {
        return c.at("Squeeze").squeeze(c.input());
      }
      List<Long> axes = new ArrayList<>();
      for (int a : ints(c, "axis")) {
        axes.add((long) (a < 0 ? a + rank : a));
      }
      return c.at("Squeeze").squeeze(c.input(), Squeeze.axis(axes.toArray(new Long[0])));
    });
    add(t, "GetItem", Slicing.GET_ITEM);
    add(t, "Cast", KerasOperations::cast);
    add(t, "Argmax", argExtreme(true));
    add(t, "Argmin", argExtreme(false));
    add(t, "Concatenate", c -> {
      List<Operand<TFloat32>> in = c.operands();
      int axis = c.config().integer("axis", 0);
      if (axis < 0) {
        axis += KerasGraph.shape(in.get(0)).length;
      }
      return c.at("concat").concat(in, c.axis("axis", axis));
    });
    return Collections.unmodifiableMap(t);
  }

  /**
   * {@code keras.ops.cast}: to float32 from float32 is the identity (preprocessing writes it); an integer class map
   * (an argmax) may be cast to another integer type on its way to the output. Float to an integer type, or to a
   * 16-bit float, is refused by name: the graph's tensors are float32 between layers.
   */
  @SuppressWarnings("unchecked")
  private static Operand<TFloat32> cast(LayerCall c) {
    Operand<TFloat32> x = c.input();
    String to = c.config().json().has("dtype") && c.config().json().get("dtype").isJsonPrimitive()
        ? c.config().string("dtype", "float32") : "float32";
    boolean floatIn = x.type() == TFloat32.class;
    if (floatIn && to.equals("float32")) {
      return c.at("Identity").identity(x);
    }
    Class<? extends org.tensorflow.types.family.TType> type = switch (to) {
      case "int32" -> TInt32.class;
      case "int64" -> TInt64.class;
      case "uint8" -> org.tensorflow.types.TUint8.class;
      default -> null;
    };
    if (floatIn || type == null) {
      throw c.bad("casts a " + (floatIn ? "float32" : "integer") + " tensor to " + to + "; read are casts of float32 "
          + "to float32 and of an integer class map (argmax) to int32, int64 or uint8");
    }
    return (Operand<TFloat32>) (Operand<?>) c.at("Cast").dtypes.cast(x, type);
  }

  /**
   * {@code keras.ops.argmax}/{@code argmin} along one axis: an int32 tensor (Keras 3's TensorFlow backend gives
   * {@code tf.argmax(x, axis, output_type="int32")}; its -0.0 versus 0.0 tie-break is not reproduced), or int64
   * when the config says {@code output_type} (a Keras 2 {@code tf.math.argmax}, {@link TfOpLambda}). The class
   * map ends the model: {@link KerasImporter} refuses a layer that takes it, so the rest of the graph stays float.
   */
  private static LayerHandler argExtreme(boolean max) {
    String op = max ? "ArgMax" : "ArgMin";
    return new LayerHandler() {
      @Override
      public List<String> problems(LayerConfig c) {
        return c.has("axis") ? List.of() : List.of(c.name() + " (keras.ops " + (max ? "argmax" : "argmin")
            + "): no axis (over the whole tensor, batch included); give an axis, e.g. axis=-1");
      }

      @Override
      @SuppressWarnings("unchecked")
      public Operand<TFloat32> apply(LayerCall c) {
        Operand<TFloat32> x = c.input();
        int rank = KerasGraph.shape(x).length;
        int axis = c.config().integer("axis", -1);
        int a = axis < 0 ? axis + rank : axis;
        if (a <= 0 || a >= rank) {
          throw c.bad("axis " + axis + " is outside the non-batch axes of a rank-" + rank + " input");
        }
        String type = c.config().string("output_type", "int32");
        if (!type.equals("int32") && !type.equals("int64")) {
          throw c.bad("output_type " + type + " (int32 or int64)");
        }
        Class<? extends TNumber> t = type.equals("int64") ? TInt64.class : TInt32.class;
        Operand<? extends TNumber> y = max
            ? c.at(op).math.argMax(x, c.axis("dimension", a), t)
            : c.at(op).math.argMin(x, c.axis("dimension", a), t);
        if (c.config().bool("keepdims", false)) {
          y = c.at("ExpandDims").expandDims(y, c.axis("axis", a));
        }
        // The graph's tensors are float32 between layers; this integer one may only be the model's output.
        return (Operand<TFloat32>) (Operand<?>) y;
      }
    };
  }

  private static void add(Map<String, LayerHandler> t, String className, LayerHandler h) {
    if (t.putIfAbsent(className, h) != null) {
      throw new IllegalStateException("keras.ops class registered twice: " + className);
    }
  }

  private static LayerHandler binary(Binary op) {
    return c -> {
      List<Operand<TFloat32>> in = c.operands();
      if (in.size() != 2) {
        throw c.bad("takes 2 operands, got " + in.size());
      }
      return op.apply(c, in.get(0), in.get(1));
    };
  }

  private static LayerHandler unary(Activations.Fn fn) {
    return c -> fn.apply(c, c.input());
  }

  private static int[] ints(LayerCall c, String key) {
    List<Integer> v = c.config().intList(key);
    if (v.isEmpty() && !c.config().has(key)) {
      throw c.bad("has no '" + key + "' in its config");
    }
    return v.stream().mapToInt(Integer::intValue).toArray();
  }

  private static Operand<org.tensorflow.types.TInt32> reduceAxes(LayerCall c) {
    if (!c.config().has("axis")) {
      return c.ints("axes", range(KerasGraph.shape(c.input()).length));
    }
    return c.ints("axes", ints(c, "axis"));
  }

  private static boolean keepDims(LayerCall c) {
    return c.config().bool("keepdims", false);
  }

  private static int[] range(int n) {
    int[] r = new int[n];
    for (int i = 0; i < n; i++) {
      r[i] = i;
    }
    return r;
  }

  private static int[] reversed(int n) {
    int[] r = new int[n];
    for (int i = 0; i < n; i++) {
      r[i] = n - 1 - i;
    }
    return r;
  }

  /**
   * Whether operation class {@code className} only moves values (shape operations), so that it may carry the
   * integer class map of an {@code argmax} to the output (e.g. {@code ops.expand_dims(ops.argmax(x, -1), -1)}).
   */
  static boolean movesValues(String className) {
    return Set.of("ExpandDims", "Reshape", "Squeeze", "Transpose", "GetItem", "Cast").contains(className);
  }

  /** The handler of operation class {@code className}, or null when it is not supported. */
  static LayerHandler handler(String className) {
    return TABLE.get(className);
  }

  /** Every supported operation class, sorted. */
  static Set<String> supported() {
    return new TreeSet<>(TABLE.keySet());
  }
}
