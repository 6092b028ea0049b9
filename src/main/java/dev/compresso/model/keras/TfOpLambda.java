package dev.compresso.model.keras;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Keras 2's {@code TFOpLambda} layers: what tf.keras 2.x records when a functional model applies a TensorFlow
 * function to a tensor ({@code x + 3.0} is {@code tf.__operators__.add}, {@code tf.math.multiply}, {@code
 * tf.nn.relu6}, {@code tf.math.reduce_mean}, {@code tf.math.argmax}, ...; tf.keras' MobileNetV3 and ConvNeXt
 * write them), read as the {@link KerasOperations} node computing the same thing. The config names the function
 * ({@code "function": "math.multiply"}); each inbound node is {@code [layer, node, index, kwargs]} for a tensor
 * first argument, a list of those for a list (as {@code tf.concat} takes), or {@code ["_CONSTANT_VALUE", -1,
 * value, kwargs]} for a constant one; the other arguments are in {@code kwargs}, tensors as {@code [layer, node,
 * index]} and constants as numbers or nested lists ({@code keras/engine/node.py}'s {@code serialize}).
 */
final class TfOpLambda {

  static final String CLASS = "TFOpLambda";

  /** Keras 2's indexing layer ({@code x[:, 0]}): a TFOpLambda of {@code __operators__.getitem}. */
  static final String SLICING = "SlicingOpLambda";

  private static final String CONSTANT = "_CONSTANT_VALUE";

  /** TF function (as the config names it) -> the keras.ops class that computes it. */
  private static final Map<String, String> FUNCTIONS = functions();

  /** TF argument names -> the keras.ops config keys the handlers read. */
  private static final Map<String, String> KEYS = Map.of("axis", "axis", "keepdims", "keepdims", "keep_dims",
      "keepdims", "shape", "newshape", "perm", "axes", "clip_value_min", "x_min", "clip_value_max", "x_max",
      "output_type", "output_type", "dtype", "dtype");

  /** The second operand of the binary functions. */
  private static final String Y = "y";

  private TfOpLambda() {}

  private static Map<String, String> functions() {
    Map<String, String> f = new LinkedHashMap<>();
    for (String[] a : new String[][] {{"__operators__.add", "Add"}, {"math.add", "Add"},
        {"math.subtract", "Subtract"}, {"math.multiply", "Multiply"}, {"math.truediv", "TrueDivide"},
        {"math.divide", "TrueDivide"}, {"math.maximum", "Maximum"}, {"math.minimum", "Minimum"},
        {"math.pow", "Power"}, {"math.negative", "Negative"}, {"math.abs", "Abs"}, {"math.sqrt", "Sqrt"},
        {"math.square", "Square"}, {"math.exp", "Exp"}, {"math.log", "Log"}, {"math.tanh", "Tanh"},
        {"nn.tanh", "Tanh"}, {"math.sigmoid", "Sigmoid"}, {"nn.sigmoid", "Sigmoid"}, {"nn.relu", "Relu"},
        {"nn.relu6", "Relu6"}, {"nn.silu", "Silu"}, {"nn.swish", "Silu"}, {"nn.elu", "Elu"}, {"nn.selu", "Selu"},
        {"nn.softmax", "Softmax"}, {"math.reduce_mean", "Mean"}, {"reduce_mean", "Mean"},
        {"math.reduce_sum", "Sum"}, {"reduce_sum", "Sum"}, {"math.reduce_max", "Max"}, {"reduce_max", "Max"},
        {"reshape", "Reshape"}, {"expand_dims", "ExpandDims"}, {"squeeze", "Squeeze"},
        {"compat.v1.squeeze", "Squeeze"}, {"transpose", "Transpose"}, {"compat.v1.transpose", "Transpose"},
        {"concat", "Concatenate"}, {"clip_by_value", "Clip"}, {"math.argmax", "Argmax"}, {"argmax", "Argmax"},
        {"math.argmin", "Argmin"}, {"argmin", "Argmin"}, {"__operators__.getitem", "GetItem"}, {"cast", "Cast"},
        {"dtypes.cast", "Cast"}}) {
      f.put(a[0], a[1]);
    }
    return f;
  }

  /** The TF functions read, sorted. */
  static Set<String> supported() {
    return new TreeSet<>(FUNCTIONS.keySet());
  }

  /** The keras.ops class of {@code function}, or null when it is not read. */
  static String operationClass(String function) {
    return FUNCTIONS.get(function);
  }

  /**
   * One call as parsed: the tensors it takes, in the order the Keras 3-style {@code args} list names them
   * (tensors as empty objects, constants as numbers or lists), and the TF keyword arguments as keras.ops config.
   */
  record Call(List<KerasModelConfig.Ref> refs, JsonArray args, JsonObject config, List<String> problems) {}

  /** Parses inbound node {@code node} of TFOpLambda {@code layer} calling {@code function}. */
  static Call call(String layer, String function, JsonElement node) {
    List<KerasModelConfig.Ref> refs = new ArrayList<>();
    JsonArray args = new JsonArray();
    List<String> problems = new ArrayList<>();
    JsonArray n = node.getAsJsonArray();
    JsonObject kwargs = new JsonObject();
    if (!n.isEmpty() && n.get(0).isJsonPrimitive()) {
      kwargs = kwargs(n);
      args.add(first(n, refs));
    } else {
      JsonArray list = new JsonArray();
      for (JsonElement e : n) {
        JsonArray entry = e.getAsJsonArray();
        kwargs = kwargs(entry);
        list.add(first(entry, refs));
      }
      args.add(list);
    }
    JsonObject config = new JsonObject();
    if (FUNCTIONS.getOrDefault(function, "").startsWith("Arg")) {
      config.addProperty("output_type", "int64"); // tf.math.argmax's default, unlike keras.ops.argmax's int32
    }
    for (Map.Entry<String, JsonElement> kw : kwargs.entrySet()) {
      String key = kw.getKey();
      JsonElement v = kw.getValue();
      if (key.equals("name") || v.isJsonNull()) {
        continue;
      }
      if (key.equals("slice_spec")) {
        // x[...]: the key as Keras 3's GetItem reads it among the arguments
        JsonArray spec = new JsonArray();
        for (JsonElement e : v.isJsonArray() ? v.getAsJsonArray() : single(v)) {
          spec.add(Slicing.keras3Item(e));
        }
        args.add(spec);
        continue;
      }
      if (key.equals(Y)) {
        if (isRef(v)) {
          refs.add(ref(v.getAsJsonArray()));
          args.add(new JsonObject());
        } else {
          JsonElement c = constant(v);
          if (c == null) {
            problems.add(layer + " (TFOpLambda tf." + function + "): argument y = " + abbreviated(v) + " is a constant "
                + "of a shape other than [..., 1, 1, n]");
          } else {
            args.add(c);
          }
        }
      } else if (KEYS.containsKey(key) && !isRef(v)) {
        config.add(KEYS.get(key), v);
      } else {
        problems.add(layer + " (TFOpLambda tf." + function + "): argument " + key + " = " + abbreviated(v)
            + " is not read (only " + new TreeSet<>(KEYS.keySet()) + " and y)");
      }
    }
    return new Call(refs, args, config, problems);
  }

  /** The first argument of a call: a tensor (an empty object, its ref added) or a constant. */
  private static JsonElement first(JsonArray entry, List<KerasModelConfig.Ref> refs) {
    if (entry.get(0).getAsString().equals(CONSTANT)) {
      JsonElement c = constant(entry.get(2));
      return c == null ? entry.get(2) : c;
    }
    refs.add(ref(entry));
    return new JsonObject();
  }

  private static JsonArray single(JsonElement v) {
    JsonArray a = new JsonArray();
    a.add(v);
    return a;
  }

  private static JsonObject kwargs(JsonArray entry) {
    return entry.size() > 3 && entry.get(3).isJsonObject() ? entry.get(3).getAsJsonObject() : new JsonObject();
  }

  /** A tensor reference {@code [layer, node, index]}. */
  private static boolean isRef(JsonElement v) {
    if (!v.isJsonArray() || v.getAsJsonArray().size() < 3) {
      return false;
    }
    JsonArray a = v.getAsJsonArray();
    return a.get(0).isJsonPrimitive() && a.get(0).getAsJsonPrimitive().isString() && a.get(1).isJsonPrimitive()
        && a.get(1).getAsJsonPrimitive().isNumber();
  }

  private static KerasModelConfig.Ref ref(JsonArray a) {
    return new KerasModelConfig.Ref(a.get(0).getAsString(), a.get(1).getAsInt(), a.get(2).getAsInt());
  }

  /**
   * A constant as {@link LayerCall#operands()} takes it: a number, or a flat list of numbers, which broadcasts
   * like the nested value when every dimension but the last is 1 ({@code [[[[2.1, 2.0, 1.9]]]]}); else null.
   */
  private static JsonElement constant(JsonElement v) {
    if (v.isJsonPrimitive() && v.getAsJsonPrimitive().isNumber()) {
      return v;
    }
    JsonElement e = v;
    while (e.isJsonArray() && e.getAsJsonArray().size() == 1 && e.getAsJsonArray().get(0).isJsonArray()) {
      e = e.getAsJsonArray().get(0);
    }
    if (!e.isJsonArray() || e.getAsJsonArray().isEmpty()) {
      return null;
    }
    JsonArray flat = new JsonArray();
    for (JsonElement x : e.getAsJsonArray()) {
      if (!x.isJsonPrimitive() || !x.getAsJsonPrimitive().isNumber()) {
        return null;
      }
      flat.add(new JsonPrimitive(x.getAsNumber()));
    }
    return flat.size() == 1 ? flat.get(0) : flat;
  }

  private static String abbreviated(JsonElement v) {
    String s = v.toString();
    return s.length() <= 60 ? s : s.substring(0, 57) + "...";
  }
}
