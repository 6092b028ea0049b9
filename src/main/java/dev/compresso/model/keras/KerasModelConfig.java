package dev.compresso.model.keras;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.compresso.BadInputException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A Keras model config parsed into layers and the calls between them: Sequential (layers in a row) or
 * Functional (each layer lists its calls, "inbound nodes", by the tensors they take), nested models as layers.
 *
 * <p>Keras 3 writes a call as {@code {"args": [...], "kwargs": {...}}} with tensors as {@code
 * {"class_name": "__keras_tensor__", "config": {"keras_history": [layer, node, index]}}}; Keras 2 as a list of
 * {@code [layer, node, index, kwargs]}. Node numbers are positions in the producing layer's own list of calls
 * within this model (an InputLayer has one, node 0).
 *
 * @param className {@code Sequential} or {@code Functional}/{@code Model}
 * @param name the model's name
 * @param layers the layers in config order
 * @param inputs the model's input tensors (Functional); for Sequential the InputLayer, when there is one
 * @param outputs the model's output tensors (Functional)
 * @param inputShape for a Sequential without InputLayer, the batch input shape its config records (or null)
 */
public record KerasModelConfig(String className, String name, List<Layer> layers, List<Ref> inputs, List<Ref> outputs,
    List<Integer> inputShape) {

  /** Model classes that nest as layers. */
  static final Set<String> MODEL_CLASSES = Set.of("Sequential", "Functional", "Model");

  /** A tensor: output {@code index} of call {@code node} of layer {@code layer}. */
  public record Ref(String layer, int node, int index) {}

  /**
   * One layer.
   *
   * @param config its class, name and config
   * @param calls the tensors each of its calls takes (Functional), in call order
   * @param nested its model config when the layer is a model
   * @param custom a custom object's registration ({@code Custom>Scale}), else null
   * @param operation whether the node is a Keras 3 operation ({@code keras.ops}: {@code x + 3.0}, {@code
   *     ops.relu6(x)} in a functional model, module {@code keras.src.ops.*}) rather than a layer
   * @param callArgs per call, the positional arguments as Keras 3 wrote them (tensors and constants, in order;
   *     null for Keras 2 calls): an operation's constants ({@code 3.0} in {@code x + 3.0}) are only there
   * @param problems what the config says that cannot be built (a Keras 2 {@code TFOpLambda}'s unread
   *     arguments or function), reported with the handlers' problems
   */
  public record Layer(LayerConfig config, List<List<Ref>> calls, KerasModelConfig nested, String custom,
      boolean operation, List<JsonArray> callArgs, List<String> problems) {
    Layer(LayerConfig config, List<List<Ref>> calls, KerasModelConfig nested, String custom, boolean operation,
        List<JsonArray> callArgs) {
      this(config, calls, nested, custom, operation, callArgs, List.of());
    }

    public String className() {
      return config.className();
    }

    public String name() {
      return config.name();
    }
  }

  public boolean sequential() {
    return className.equals("Sequential");
  }

  /** Parses {@code {"class_name": ..., "config": ...}}. */
  static KerasModelConfig parse(Path file, JsonObject root) {
    try {
      return parseModel(root);
    } catch (BadInputException e) {
      String m = String.valueOf(e.getMessage());
      throw m.startsWith(file.toString()) ? e : new BadInputException(file + ": " + m, e);
    } catch (IllegalStateException | UnsupportedOperationException | NullPointerException | ClassCastException
        | IndexOutOfBoundsException | NumberFormatException e) {
      throw new BadInputException(file + ": the model config is not a Keras model config Compresso can read: " + e, e);
    }
  }

  private static KerasModelConfig parseModel(JsonObject root) {
    String cls = root.get("class_name").getAsString();
    JsonObject cfg = root.getAsJsonObject("config");
    String name = cfg.has("name") ? cfg.get("name").getAsString() : cls.toLowerCase(Locale.ROOT);
    List<Layer> layers = new ArrayList<>();
    JsonElement layerList = cfg.get("layers");
    if (layerList == null || !layerList.isJsonArray()) {
      throw new BadInputException("model " + name + " (" + cls + ") has no layer list in its config; a "
          + "subclassed model cannot be rebuilt from a config (save it as a Functional or Sequential model)");
    }
    Map<String, Integer> seen = new HashMap<>();
    for (JsonElement e : layerList.getAsJsonArray()) {
      JsonObject entry = e.getAsJsonObject();
      String layerClass = entry.get("class_name").getAsString();
      JsonObject layerCfg = entry.has("config") && entry.get("config").isJsonObject() ? entry.getAsJsonObject("config")
          : new JsonObject();
      String layerName = entry.has("name") ? entry.get("name").getAsString()
          : layerCfg.has("name") ? layerCfg.get("name").getAsString() : layerClass.toLowerCase(Locale.ROOT);
      if (seen.merge(layerName, 1, Integer::sum) > 1) {
        throw new BadInputException("model " + name + " has two layers named '" + layerName + "'");
      }
      List<List<Ref>> calls = new ArrayList<>();
      List<JsonArray> callArgs = new ArrayList<>();
      if (layerClass.equals(TfOpLambda.CLASS) || layerClass.equals(TfOpLambda.SLICING)) {
        layers.add(tfOpLambda(layerName, layerCfg, entry));
        continue;
      }
      if (entry.has("inbound_nodes") && entry.get("inbound_nodes").isJsonArray()) {
        for (JsonElement node : entry.getAsJsonArray("inbound_nodes")) {
          List<Ref> refs = new ArrayList<>();
          if (node.isJsonObject()) {
            JsonElement args = node.getAsJsonObject().get("args");
            collectKeras3(args, refs);
            callArgs.add(args != null && args.isJsonArray() ? args.getAsJsonArray() : null);
          } else {
            callArgs.add(null);
            for (JsonElement t : node.getAsJsonArray()) {
              refs.add(ref(t.getAsJsonArray()));
            }
          }
          calls.add(refs);
        }
      }
      KerasModelConfig nested = MODEL_CLASSES.contains(layerClass) ? parseModel(entry) : null;
      String custom = null;
      if (entry.has("registered_name") && !entry.get("registered_name").isJsonNull()) {
        String registered = entry.get("registered_name").getAsString();
        if (registered.contains(">")) {
          custom = registered;
        }
      }
      String module = entry.has("module") && !entry.get("module").isJsonNull() ? entry.get("module").getAsString() : "";
      if (!module.isEmpty() && !module.startsWith("keras")) {
        custom = module + "." + layerClass;
      }
      // A Keras 3 .h5 (legacy layout) drops the module; an operation node is then told from a layer by its
      // config, which holds no 'trainable' (every layer's config does, in Keras 2 and 3).
      boolean operation = module.startsWith("keras.src.ops.") || module.startsWith("keras.ops")
          || (!entry.has("module") && layerCfg != null && !layerCfg.has("trainable")
              && KerasOperations.handler(layerClass) != null);
      layers.add(new Layer(new LayerConfig(layerClass, layerName, layerCfg), calls, nested, custom, operation,
          java.util.Collections.unmodifiableList(callArgs)));
    }
    List<Ref> inputs = refs(cfg.get("input_layers"));
    List<Ref> outputs = refs(cfg.get("output_layers"));
    List<Integer> inputShape = null;
    if (cls.equals("Sequential")) {
      for (String key : new String[] {"build_input_shape"}) {
        if (cfg.has(key) && cfg.get(key).isJsonArray()) {
          inputShape = ints(cfg.getAsJsonArray(key));
        }
      }
      if (!layers.isEmpty()) {
        LayerConfig first = layers.get(0).config();
        for (String key : new String[] {"batch_shape", "batch_input_shape"}) {
          if (first.has(key)) {
            inputShape = ints(first.json().getAsJsonArray(key));
          }
        }
      }
    }
    return new KerasModelConfig(cls, name, layers, inputs, outputs, inputShape);
  }

  /**
   * A Keras 2 {@code TFOpLambda} ({@link TfOpLambda}) as the keras.ops operation computing its function, the
   * keyword arguments of its first call as that operation's config; a function not read keeps the class name
   * {@code TFOpLambda} and says which in its problems.
   */
  private static Layer tfOpLambda(String layerName, JsonObject layerCfg, JsonObject entry) {
    String function = layerCfg.has("function") ? layerCfg.get("function").getAsString() : "?";
    String opClass = TfOpLambda.operationClass(function);
    List<String> problems = new ArrayList<>();
    List<List<Ref>> calls = new ArrayList<>();
    List<JsonArray> callArgs = new ArrayList<>();
    JsonObject config = null;
    if (opClass == null) {
      problems.add(layerName + " (TFOpLambda tf." + function + ": not among the TensorFlow functions read, "
          + TfOpLambda.supported() + "; a SavedModel of the model takes it)");
    }
    JsonElement nodes = entry.get("inbound_nodes");
    for (JsonElement node : nodes != null && nodes.isJsonArray() ? nodes.getAsJsonArray() : new JsonArray()) {
      TfOpLambda.Call c = TfOpLambda.call(layerName, function, node);
      calls.add(c.refs());
      callArgs.add(c.args());
      if (config == null) {
        config = c.config();
        problems.addAll(c.problems());
      } else if (!config.equals(c.config())) {
        problems.add(layerName + " (TFOpLambda tf." + function + "): called with different arguments " + config
            + " and " + c.config());
      }
    }
    JsonObject cfg = config == null ? new JsonObject() : config.deepCopy();
    cfg.addProperty("name", layerName);
    return new Layer(new LayerConfig(opClass == null ? TfOpLambda.CLASS : opClass, layerName, cfg), calls, null, null,
        opClass != null, java.util.Collections.unmodifiableList(callArgs), List.copyOf(problems));
  }

  static List<Integer> ints(JsonArray a) {
    List<Integer> out = new ArrayList<>();
    for (JsonElement x : a) {
      out.add(x.isJsonNull() ? -1 : x.getAsInt());
    }
    return out;
  }

  private static void collectKeras3(JsonElement e, List<Ref> out) {
    if (e == null || e.isJsonNull() || e.isJsonPrimitive()) {
      return;
    }
    if (e.isJsonArray()) {
      for (JsonElement x : e.getAsJsonArray()) {
        collectKeras3(x, out);
      }
      return;
    }
    JsonObject o = e.getAsJsonObject();
    if (o.has("class_name") && "__keras_tensor__".equals(o.get("class_name").getAsString())) {
      out.add(ref(o.getAsJsonObject("config").getAsJsonArray("keras_history")));
    }
  }

  private static Ref ref(JsonArray a) {
    return new Ref(a.get(0).getAsString(), a.get(1).getAsInt(), a.get(2).getAsInt());
  }

  /** {@code ["in", 0, 0]} (Keras 3, one tensor) or {@code [["in", 0, 0], ...]}. */
  private static List<Ref> refs(JsonElement e) {
    List<Ref> out = new ArrayList<>();
    if (e == null || !e.isJsonArray() || e.getAsJsonArray().isEmpty()) {
      return out;
    }
    JsonArray a = e.getAsJsonArray();
    if (a.get(0).isJsonPrimitive()) {
      out.add(ref(a));
    } else {
      for (JsonElement x : a) {
        out.add(ref(x.getAsJsonArray()));
      }
    }
    return out;
  }
}
