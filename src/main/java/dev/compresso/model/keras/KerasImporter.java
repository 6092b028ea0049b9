package dev.compresso.model.keras;

import dev.compresso.BadInputException;
import dev.compresso.graph.GraphIndex;
import dev.compresso.model.ImportedModel;
import dev.compresso.model.InputShape;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.types.TFloat32;

/**
 * Rebuilds a Keras model file ({@link KerasFile}) as an {@link ImportedModel}: the layers as TF ops (one
 * {@link LayerHandler} per class, {@link KerasLayers}), the stored weights as the values of ref variables named
 * after the layer path ({@code block/conv/kernel}), batch-norm moving statistics frozen.
 *
 * <p>The graph's input is a {@code Placeholder} named after the model's InputLayer (batch dimension unknown),
 * the signature key {@code serving_default} and the output an {@code Identity} {@code output_0} (the key Keras'
 * own {@code model.export} uses). A layer called several times (a shared layer) has one set of variables; its
 * calls after the first are scoped {@code <layer>/call_<n>}. Every unsupported layer class, custom object and
 * unsupported setting is found before anything is built and reported in one {@link BadInputException}.
 */
public final class KerasImporter {

  public static final String SIGNATURE = "serving_default";
  public static final String OUTPUT_KEY = "output_0";

  private KerasImporter() {}

  /** One layer as built: its path, class, parameter count and output shape (first call). */
  public record LayerSummary(String path, String className, long parameters, long[] outputShape) {}

  /** The imported model, what was built per layer, and facts about the file. */
  public record Result(ImportedModel model, List<LayerSummary> layers, String format, String kerasVersion,
      String modelClass, int optimizerArrays) {}

  /** Whether {@code path} names a Keras model file ({@code .keras}, {@code .h5}, {@code .hdf5}). */
  public static boolean isKerasFile(Path path) {
    return KerasFile.isKerasPath(path);
  }

  /** Reads {@code file} into an {@link ImportedModel} (signature {@link #SIGNATURE}, one input, one output). */
  public static ImportedModel read(Path file) {
    return readWithSummary(file, null).model();
  }

  /**
   * Reads {@code file} with the input's unknown dimensions set from {@code inputShape} ({@code --input-shape};
   * null keeps the model's own). The batch dimension stays unknown in the graph.
   */
  public static ImportedModel read(Path file, InputShape inputShape) {
    return readWithSummary(file, inputShape).model();
  }

  /** {@link #readWithSummary(Path, InputShape)} with the model's own input shape. */
  public static Result readWithSummary(Path file) {
    return readWithSummary(file, null);
  }

  /**
   * Reads {@code file} and describes what was built.
   *
   * @throws BadInputException naming the file: unreadable or damaged, weights-only, unsupported layers (all of
   *     them, with the supported classes), several inputs or outputs, weights that do not fit the config
   */
  public static Result readWithSummary(Path file, InputShape inputShape) {
    try (KerasFile kf = KerasFile.read(file)) {
      return build(file, kf, inputShape);
    } catch (UnsupportedOperationException | ClassCastException | IndexOutOfBoundsException | NullPointerException
        | NumberFormatException | ArithmeticException | IllegalStateException e) {
      // A config value of the wrong JSON type or range (a layer's dtype an object, a node index of -1) met by the
      // code that reads it: the config is damaged.
      throw new BadInputException(file + ": the model config is damaged (a value of the wrong type or range): " + e,
          e);
    }
  }

  private static Result build(Path file, KerasFile kf, InputShape inputShape) {
    KerasModelConfig top = KerasModelConfig.parse(file, kf.modelConfig());
    List<String> problems = new ArrayList<>();
    scan(top, problems);
    if (!problems.isEmpty()) {
      throw new BadInputException(String.format("%s: %d unsupported Keras layer%s or setting%s: %s; supported "
          + "layer classes: %s; keras.ops operations: %s; activations: %s", file, problems.size(),
          problems.size() == 1 ? "" : "s", problems.size() == 1 ? "" : "s", String.join(", ", problems),
          KerasLayers.supported(), KerasOperations.supported(), Activations.names()));
    }
    try (Graph g = new Graph()) {
      Builder b = new Builder(file, kf.weights(), new KerasGraph(g), inputShape);
      return b.build(top, kf);
    } catch (BadInputException e) {
      String m = String.valueOf(e.getMessage());
      throw m.startsWith(file.toString()) ? e : new BadInputException(file + ": " + m, e);
    } catch (IllegalArgumentException | IllegalStateException e) {
      // TF Java's shape inference refusing a layer's op: the config and the input do not fit.
      throw new BadInputException(file + ": the model config does not build: " + firstLine(e.getMessage()), e);
    }
  }

  private static void scan(KerasModelConfig m, List<String> problems) {
    for (KerasModelConfig.Layer l : m.layers()) {
      if (!l.problems().isEmpty()) {
        problems.addAll(l.problems());
      } else if (l.custom() != null) {
        problems.add(l.name() + " (" + l.className() + ": custom object " + l.custom() + ")");
      } else if (l.nested() != null) {
        scan(l.nested(), problems);
      } else if (l.className().equals("InputLayer")) {
        // Keras 3 may write a dtype policy object instead of a name
        boolean policy = l.config().json().has("dtype") && l.config().json().get("dtype").isJsonObject();
        String dtype = policy ? "float32" : l.config().string("dtype", "float32");
        // A uint8 image input is read as float32 holding the same values: Keras layers cast it to float32 first.
        if (!dtype.equals("float32") && !dtype.equals("uint8")) {
          problems.add(l.name() + " (InputLayer): dtype " + dtype + " (float32 and uint8 inputs are supported)");
        }
        if (l.config().bool("sparse", false) || l.config().bool("ragged", false)) {
          problems.add(l.name() + " (InputLayer): sparse or ragged input");
        }
      } else if (l.operation()) {
        LayerHandler h = KerasOperations.handler(l.className());
        if (h == null) {
          problems.add(l.name() + " (keras.ops operation " + l.className() + "; a SavedModel from model.export() "
              + "takes it)");
        } else {
          problems.addAll(h.problems(l.config()));
        }
      } else {
        LayerHandler h = KerasLayers.handler(l.className());
        if (h == null) {
          problems.add(l.name() + " (" + l.className() + ")");
        } else {
          problems.addAll(h.problems(l.config()));
        }
      }
    }
  }

  private static String firstLine(String s) {
    return s == null ? "(no message)" : s.strip().lines().findFirst().orElse("(no message)");
  }

  /** Keras' {@code naming.to_snake_case}, which names a layer's group in a {@code .keras} weights file. */
  static String snakeCase(String name) {
    String s = name.replaceAll("\\W+", "");
    s = s.replaceAll("(.)([A-Z][a-z]+)", "$1_$2");
    return s.replaceAll("([a-z])([A-Z])", "$1_$2").toLowerCase(Locale.ROOT);
  }

  /** The weights-file keys of a model's layer list ({@code conv2d}, {@code conv2d_1}, ...). */
  static Map<String, String> keys(KerasModelConfig m) {
    Map<String, String> keys = new HashMap<>();
    Map<String, Integer> used = new HashMap<>();
    for (KerasModelConfig.Layer l : m.layers()) {
      if (m.sequential() && l.className().equals("InputLayer")) {
        continue;
      }
      String k = snakeCase(l.className());
      Integer n = used.get(k);
      if (n == null) {
        used.put(k, 0);
      } else {
        used.put(k, n + 1);
        k = k + "_" + (n + 1);
      }
      keys.put(l.name(), k);
    }
    return keys;
  }

  private static final class Builder {
    private final Path file;
    private final KerasWeights weights;
    private final KerasGraph kg;
    private final Map<String, Map<String, Operand<TFloat32>>> layerVariables = new HashMap<>();
    private final Map<String, LayerSummary> summaries = new LinkedHashMap<>();
    private final InputShape given;

    Builder(Path file, KerasWeights weights, KerasGraph kg, InputShape given) {
      this.file = file;
      this.weights = weights;
      this.kg = kg;
      this.given = given;
    }

    Result build(KerasModelConfig top, KerasFile kf) {
      String inputName;
      List<Integer> shape;
      if (top.sequential()) {
        KerasModelConfig.Layer first = top.layers().isEmpty() ? null : top.layers().get(0);
        inputName = first != null && first.className().equals("InputLayer") ? first.name() : top.name() + "_input";
        shape = top.inputShape();
        if (shape == null) {
          throw new BadInputException(file + ": Sequential model " + top.name() + " records no input shape (it was "
              + "saved unbuilt); build it on an input (keras.Input) before saving");
        }
      } else {
        if (top.inputs().size() != 1 || top.outputs().size() != 1) {
          throw new BadInputException(String.format("%s: model %s has %d inputs %s and %d outputs %s; a Keras file "
              + "is read with one input and one output: for several, save it with model.export(DIR) and give "
              + "convert or validate that SavedModel", file, top.name(), top.inputs().size(),
              top.inputs().stream().map(KerasModelConfig.Ref::layer).toList(), top.outputs().size(),
              top.outputs().stream().map(KerasModelConfig.Ref::layer).toList()));
        }
        inputName = top.inputs().get(0).layer();
        shape = inputShape(top, inputName);
      }
      long[] dims = new long[shape.size()];
      for (int i = 0; i < dims.length; i++) {
        dims[i] = i == 0 ? -1 : shape.get(i);
      }
      if (given != null) {
        dims = withGiven(inputName, dims);
      }
      InputShape.requireStatic(file.toString(), inputName, dims);
      String placeholderName = kg.unique(KerasGraph.sanitize(inputName));
      Placeholder<TFloat32> input = kg.tf().withName(placeholderName).placeholder(TFloat32.class,
          Placeholder.shape(Shape.of(dims)));
      Operand<TFloat32> out = model(top, List.of(input), "", LayerPath.root());
      String outputName = kg.unique(OUTPUT_KEY);
      kg.tf().withName(outputName).identity(out);
      GraphDef full = kg.graph().toGraphDef();
      GraphIndex index = new GraphIndex(full);
      Set<String> keep = index.ancestors(List.of(outputName));
      if (!keep.contains(placeholderName)) {
        throw new BadInputException(file + ": the model's output does not depend on its input " + inputName);
      }
      GraphDef graph = index.restrictTo(keep);
      ImportedModel model = new ImportedModel(file, SIGNATURE, inputName, placeholderName + ":0", OUTPUT_KEY,
          outputName + ":0", graph, kg.values(), kg.frozen());
      return new Result(model, List.copyOf(summaries.values()), kf.format().description(), kf.kerasVersion(),
          top.className(), kf.optimizerArrays());
    }

    /** The declared dimensions with the unknown ones set from {@code --input-shape}; the batch stays unknown. */
    private long[] withGiven(String inputName, long[] declared) {
      long[] dims = given.dims();
      if (given.input() != null && !given.input().equals(inputName)) {
        throw new BadInputException(file + ": --input-shape names input '" + given.input() + "'; the model's input "
            + "is '" + inputName + "'");
      }
      boolean agrees = dims.length == declared.length;
      for (int i = 1; agrees && i < dims.length; i++) {
        agrees = declared[i] < 0 || declared[i] == dims[i];
      }
      if (!agrees) {
        throw new BadInputException(String.format("%s: --input-shape %s does not fit input '%s' of shape %s (-1 = "
            + "unknown; only unknown dimensions can be set)", file, Arrays.toString(dims), inputName,
            Arrays.toString(declared)));
      }
      dims[0] = -1;
      return dims;
    }

    private List<Integer> inputShape(KerasModelConfig m, String inputName) {
      for (KerasModelConfig.Layer l : m.layers()) {
        if (l.name().equals(inputName)) {
          for (String key : new String[] {"batch_shape", "batch_input_shape"}) {
            if (l.config().has(key)) {
              return KerasModelConfig.ints(l.config().json().getAsJsonArray(key));
            }
          }
          throw new BadInputException(file + ": input layer " + inputName + " records no batch_shape");
        }
      }
      throw new BadInputException(file + ": model " + m.name() + " names input layer " + inputName
          + ", which is not among its layers");
    }

    /**
     * The weights layer {@code l} creates on inputs of {@code shapes}, checked: a layer called on nothing, a config
     * that does not fit its inputs' rank, or a weight with a dimension below 1 (a damaged {@code filters} or
     * {@code units}) is refused naming the layer (and the weight), before anything is read or allocated.
     */
    private List<WeightSpec> weightSpecs(LayerHandler h, KerasModelConfig.Layer l, List<long[]> shapes) {
      if (shapes.isEmpty()) {
        throw new BadInputException(String.format("%s: layer %s (%s) is called on no inputs", file, l.name(),
            l.className()));
      }
      List<WeightSpec> specs;
      try {
        specs = h.weights(l.config(), shapes);
      } catch (BadInputException e) {
        throw e;
      } catch (RuntimeException e) {
        throw new BadInputException(String.format("%s: layer %s (%s): its config does not fit its inputs %s (%s)",
            file, l.name(), l.className(), shapesText(shapes), e), e);
      }
      long total = 0;
      for (WeightSpec s : specs) {
        for (long d : s.shape()) {
          if (d < 1) {
            throw new BadInputException(String.format("%s: layer %s (%s): weight '%s' would have shape %s on inputs "
                + "%s; every dimension must be at least 1 (a damaged config?)", file, l.name(), l.className(),
                s.role(), Arrays.toString(s.shape()), shapesText(shapes)));
          }
        }
        long size = s.size();
        if (size < 0 || size > Integer.MAX_VALUE - 8 || (total += size) > Integer.MAX_VALUE) {
          throw new BadInputException(String.format("%s: layer %s (%s): weight '%s' would have shape %s, more "
              + "values than a layer of a model Compresso reads holds (a damaged config?)", file, l.name(),
              l.className(), s.role(), Arrays.toString(s.shape())));
        }
      }
      return specs;
    }

    private static String shapesText(List<long[]> shapes) {
      return shapes.stream().map(Arrays::toString).toList().toString();
    }

    /** Builds one call of model {@code m} on {@code inputs}; ops under {@code scope}, weights under {@code path}. */
    private Operand<TFloat32> model(KerasModelConfig m, List<Operand<TFloat32>> inputs, String scope, LayerPath path) {
      Map<String, String> keys = keys(m);
      if (m.sequential()) {
        if (inputs.size() != 1) {
          throw new BadInputException("Sequential model " + m.name() + " is called on " + inputs.size() + " inputs");
        }
        Operand<TFloat32> x = inputs.get(0);
        for (KerasModelConfig.Layer l : m.layers()) {
          if (!l.className().equals("InputLayer")) {
            x = call(l, List.of(x), scope + KerasGraph.sanitize(l.name()), path.child(l.name(), keys.get(l.name())));
          }
        }
        return x;
      }
      if (m.inputs().size() != inputs.size() || m.outputs().size() != 1) {
        throw new BadInputException(String.format("model %s takes %d inputs and gives %d outputs; as a layer it is "
            + "called on %d (one output is supported)", m.name(), m.inputs().size(), m.outputs().size(), inputs.size()));
      }
      Map<String, List<Operand<TFloat32>>> produced = new HashMap<>();
      for (int i = 0; i < inputs.size(); i++) {
        produced.put(m.inputs().get(i).layer(), new ArrayList<>(List.of(inputs.get(i))));
      }
      record Pending(KerasModelConfig.Layer layer, int node) {}
      List<Pending> pending = new ArrayList<>();
      for (KerasModelConfig.Layer l : m.layers()) {
        if (l.className().equals("InputLayer")) {
          continue;
        }
        produced.put(l.name(), new ArrayList<>());
        for (int k = 0; k < l.calls().size(); k++) {
          pending.add(new Pending(l, k));
        }
      }
      while (!pending.isEmpty()) {
        boolean progress = false;
        for (var it = pending.iterator(); it.hasNext(); ) {
          Pending p = it.next();
          List<Operand<TFloat32>> in = resolve(p.layer().calls().get(p.node()), produced);
          if (in == null || produced.get(p.layer().name()).size() != p.node()) {
            continue;
          }
          String base = scope + KerasGraph.sanitize(p.layer().name()) + (p.node() == 0 ? "" : "/call_" + p.node());
          produced.get(p.layer().name()).add(call(p.layer(), p.node(), in, base,
              path.child(p.layer().name(), keys.get(p.layer().name()))));
          it.remove();
          progress = true;
        }
        if (!progress) {
          throw new BadInputException("model " + m.name() + ": the calls of layers "
              + pending.stream().map(p -> p.layer().name()).distinct().toList()
              + " take tensors no layer produces (a cycle or a missing layer)");
        }
      }
      List<Operand<TFloat32>> out = resolve(List.of(m.outputs().get(0)), produced);
      if (out == null) {
        throw new BadInputException("model " + m.name() + ": output " + m.outputs().get(0) + " is never produced");
      }
      return out.get(0);
    }

    private static List<Operand<TFloat32>> resolve(List<KerasModelConfig.Ref> refs,
        Map<String, List<Operand<TFloat32>>> produced) {
      List<Operand<TFloat32>> in = new ArrayList<>();
      for (KerasModelConfig.Ref r : refs) {
        List<Operand<TFloat32>> outs = produced.get(r.layer());
        if (outs == null) {
          throw new BadInputException("a layer call takes the output of '" + r.layer() + "', which is not a layer of "
              + "its model");
        }
        if (r.index() != 0) {
          throw new BadInputException("a layer call takes output " + r.index() + " of '" + r.layer()
              + "'; layers with one output are supported");
        }
        if (outs.size() <= r.node()) {
          return null;
        }
        in.add(outs.get(r.node()));
      }
      return in;
    }

    private Operand<TFloat32> call(KerasModelConfig.Layer l, List<Operand<TFloat32>> inputs, String scope,
        LayerPath path) {
      return call(l, 0, inputs, scope, path);
    }

    /** Call {@code node} of layer {@code l} (its positional arguments are Keras 3's record of that call). */
    private Operand<TFloat32> call(KerasModelConfig.Layer l, int node, List<Operand<TFloat32>> inputs, String scope,
        LayerPath path) {
      if (l.nested() != null) {
        Operand<TFloat32> y = model(l.nested(), inputs, scope + "/", path);
        summaries.putIfAbsent(path.toString(), new LayerSummary(path.toString(), l.className(), 0, KerasGraph.shape(y)));
        return y;
      }
      LayerHandler h = l.operation() ? KerasOperations.handler(l.className()) : KerasLayers.handler(l.className());
      for (Operand<TFloat32> x : inputs) {
        if (x.type() != TFloat32.class && !(l.operation() && KerasOperations.movesValues(l.className()))) {
          throw new BadInputException(String.format("%s: layer %s (%s) takes the %s output of %s; an integer tensor (a "
              + "class map from argmax/argmin) is read only as the model's output: end the model there, or save it "
              + "with model.export(DIR) and give that SavedModel", file, path, l.className(),
              x.asOutput().dataType().name().replace("DT_", "").toLowerCase(Locale.ROOT), x.op().name()));
        }
      }
      List<long[]> shapes = new ArrayList<>();
      for (Operand<TFloat32> x : inputs) {
        shapes.add(KerasGraph.shape(x));
      }
      String key = path.toString();
      Map<String, Operand<TFloat32>> vars = layerVariables.get(key);
      long params = 0;
      if (vars == null) {
        List<WeightSpec> specs = weightSpecs(h, l, shapes);
        vars = new LinkedHashMap<>();
        if (!specs.isEmpty()) {
          List<ImportedModel.VariableValue> values = weights.read(path, specs);
          String prefix = String.join("/", path.names().stream().map(KerasGraph::sanitize).toList());
          for (int i = 0; i < specs.size(); i++) {
            WeightSpec s = specs.get(i);
            if (s.counter()) {
              continue;
            }
            ImportedModel.VariableValue v = new ImportedModel.VariableValue(s.variableShape(), values.get(i).values());
            vars.put(s.role(), kg.variable(prefix + "/" + s.role(), v, s.trainable()));
            params += v.size();
          }
        }
        layerVariables.put(key, vars);
      }
      Operand<TFloat32> y;
      try {
        y = h.apply(new LayerCall(kg, l.config(), scope, inputs, vars, node < l.callArgs().size() ? l.callArgs().get(node)
            : null));
      } catch (BadInputException | IllegalArgumentException | IllegalStateException e) {
        throw e; // named by the caller; TF's shape inference refusals are IllegalArgumentExceptions
      } catch (RuntimeException e) {
        throw new BadInputException(String.format("%s: layer %s (%s): its config does not build on inputs %s: %s",
            file, path, l.className(), shapesText(shapes), e), e);
      }
      summaries.putIfAbsent(key, new LayerSummary(key, l.className(), params, KerasGraph.shape(y)));
      return y;
    }
  }
}
