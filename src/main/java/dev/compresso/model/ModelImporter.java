package dev.compresso.model;

import dev.compresso.BadInputException;
import dev.compresso.graph.GraphIndex;
import dev.compresso.graph.GraphRewriter;
import dev.compresso.graph.NearestUpsamplingRewrite;
import dev.compresso.graph.Nodes;
import dev.compresso.graph.Rewrite;
import dev.compresso.graph.TensorRef;
import dev.compresso.model.keras.KerasImporter;
import dev.compresso.model.tf2.Tf2Importer;
import dev.compresso.train.Tensors;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.MetaGraphDef;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.SignatureDef;
import org.tensorflow.proto.TensorInfo;

/**
 * Reads a SavedModel into an {@link ImportedModel}: a TF1-style one (ref variables, as TF Java's exporter
 * writes) here, a TF2/Keras one (function calls, resource variables) through {@link Tf2Importer}, and a Keras
 * model file ({@code .keras}, {@code .h5}, {@code .hdf5}) through {@link KerasImporter}.
 *
 * <p>The graph is cut to the ancestors of the signature's output, which drops initializers, savers and
 * training ops; every variable is then read through exactly one {@code Identity} named {@code
 * <var>/read} (added by a rewrite where the graph read the ref directly), because gradients are taken
 * with respect to that read and some gradient functions crash when fed a ref (DESIGN.md).
 *
 * <p>A SavedModel's nearest upsamplings written as repeats (Keras 3's {@code UpSampling2D}) are read as the
 * {@code ResizeNearestNeighbor} they compute ({@link NearestUpsamplingRewrite}), which the Edge TPU maps.
 */
public final class ModelImporter {

  static final Set<String> REF_VARIABLE_OPS = Set.of("VariableV2", "Variable");
  static final Set<String> RESOURCE_VARIABLE_OPS = Set.of("VarHandleOp", "ReadVariableOp", "StatefulPartitionedCall",
      "PartitionedCall");

  private ModelImporter() {}

  /**
   * Reads signature {@code signatureKey} (every input and output) of the SavedModel in {@code dir}: a TF1
   * graph as it is, a TF2/Keras export flattened by {@link Tf2Importer}; or the Keras model file {@code dir}
   * (whose one signature is {@code serving_default}; {@code tag} does not apply).
   */
  public static ImportedModel read(Path dir, String tag, String signatureKey) {
    return read(dir, tag, signatureKey, ImportOptions.defaults());
  }

  /**
   * Reads signature {@code signatureKey} (every input; every output, or the one {@code options} names) of the
   * SavedModel in {@code dir}, with an input's shape fixed where {@code options} gives one.
   *
   * @throws BadInputException naming the file and the item: a missing signature or output key (listing the
   *     keys present), no input, an input of unknown rank without a shape, a shape that does not fit or that
   *     does not name its input among several
   */
  public static ImportedModel read(Path dir, String tag, String signatureKey, ImportOptions options) {
    return read(dir, tag, signatureKey, options, true);
  }

  /**
   * As {@link #read(Path, String, String, ImportOptions)}; {@code upsampling} false leaves a SavedModel's
   * repeat-written nearest upsamplings as they are (for tests comparing the graph before and after {@link
   * NearestUpsamplingRewrite}).
   */
  static ImportedModel read(Path dir, String tag, String signatureKey, ImportOptions options, boolean upsampling) {
    if (KerasImporter.isKerasFile(dir)) {
      if (signatureKey != null && !signatureKey.equals(KerasImporter.SIGNATURE)) {
        throw new BadInputException(dir + ": a Keras model file has one signature, " + KerasImporter.SIGNATURE
            + "; got '" + signatureKey + "'");
      }
      if (options.outputKey() != null && !options.outputKey().equals(KerasImporter.OUTPUT_KEY)) {
        throw new BadInputException(dir + ": a Keras model file has one output, " + KerasImporter.OUTPUT_KEY
            + "; got --output '" + options.outputKey() + "'");
      }
      return KerasImporter.read(dir, options.inputShape());
    }
    try {
      ImportedModel model = readUnnamed(dir, tag, signatureKey, options);
      return upsampling ? withNearestUpsampling(model) : model;
    } catch (BadInputException e) {
      throw naming(dir, e);
    }
  }

  /**
   * {@code e}, or a copy whose message starts with {@code dir} when it does not name it (graph-level checks,
   * GraphIndex and the TF2 inliner, name the node but not the model it came from) and has its line breaks
   * escaped.
   */
  public static BadInputException naming(Path dir, BadInputException e) {
    String m = String.valueOf(e.getMessage());
    // Node names from a damaged file may hold line breaks; the CLI prints one line.
    String oneLine = m.replace("\r", "\\r").replace("\n", "\\n");
    if (oneLine.equals(m) && m.contains(dir.toString())) {
      return e;
    }
    return new BadInputException(oneLine.contains(dir.toString()) ? oneLine : dir + ": " + oneLine, e);
  }

  private static ImportedModel readUnnamed(Path dir, String tag, String signatureKey, ImportOptions options) {
    MetaGraphDef parsed = SavedModels.metaGraph(SavedModels.read(dir), dir, tag);
    SignatureDef parsedSig = SavedModels.signature(parsed, dir, signatureKey);
    String where = dir + ": signature '" + signatureKey + "'";
    if (parsedSig.getInputsCount() == 0 || parsedSig.getOutputsCount() == 0) {
      throw new BadInputException(String.format("%s has %d inputs %s and %d outputs %s; Compresso takes models "
          + "with at least one input and one output", where, parsedSig.getInputsCount(),
          new TreeMap<>(parsedSig.getInputsMap()).keySet(), parsedSig.getOutputsCount(),
          new TreeMap<>(parsedSig.getOutputsMap()).keySet()));
    }
    List<String> outputKeys = outputKeys(where, parsedSig, options.outputKey());
    Map<String, long[]> shapes = inputShapes(where, parsedSig, options.inputShape());
    ImportedModel model = Tf2Importer.isTf2(parsed, parsedSig)
        ? Tf2Importer.read(dir, tag, parsed, signatureKey, outputKeys, options.inputShape() != null)
        : readTf1(dir, tag, signatureKey, outputKeys);
    if (options.inputShape() == null) {
      return model;
    }
    String key = options.inputShape().input() != null ? options.inputShape().input() : model.inputKey();
    return withInputShape(model, key, shapes.get(key));
  }

  /**
   * Each input's shape by key (declared, or fixed by {@code given}); {@code given} must name its input when
   * the signature has several.
   */
  private static Map<String, long[]> inputShapes(String where, SignatureDef sig, InputShape given) {
    Map<String, TensorInfo> inputs = new TreeMap<>(sig.getInputsMap());
    if (given != null && given.input() == null && inputs.size() > 1) {
      throw new BadInputException(String.format("%s has inputs %s; name the one --input-shape sets, e.g. "
          + "--input-shape %s:%s", where, String.join(", ", inputs.keySet()), inputs.keySet().iterator().next(),
          given));
    }
    if (given != null && given.input() != null && !inputs.containsKey(given.input())) {
      throw new BadInputException(String.format("%s: --input-shape names input '%s', but the input%s %s", where,
          given.input(), inputs.size() == 1 ? " is" : "s are", inputs.keySet().stream().map(k -> "'" + k + "'")
              .collect(java.util.stream.Collectors.joining(", "))));
    }
    Map<String, long[]> shapes = new LinkedHashMap<>();
    for (Map.Entry<String, TensorInfo> in : inputs.entrySet()) {
      boolean named = given != null && (given.input() == null || given.input().equals(in.getKey()));
      shapes.put(in.getKey(), InputShape.resolve(where, in.getKey(), in.getValue().getTensorShape(),
          named ? given : null));
    }
    return shapes;
  }

  /**
   * The model with each nearest upsampling written as a repeat (Keras 3's {@code UpSampling2D}: ExpandDims/Tile/
   * Reshape per axis, a 5-D TILE the Edge TPU cannot map) turned into the {@code ResizeNearestNeighbor} it computes
   * ({@link NearestUpsamplingRewrite}). Done here, once, so that every stage sees one graph: the same function, bit
   * for bit, whatever the precision.
   */
  private static ImportedModel withNearestUpsampling(ImportedModel model) {
    String input = TensorRef.parse(model.inputTensor()).node();
    Set<String> keep = new java.util.HashSet<>(Set.of(input));
    model.outputs().forEach(o -> keep.add(o.node()));
    GraphDef rewritten = NearestUpsamplingRewrite.apply(model.graph(), input, keep);
    return rewritten == model.graph() ? model : model.withGraph(rewritten);
  }

  /** {@code wanted} alone (when it is a key of the signature), or every output key, sorted. */
  private static List<String> outputKeys(String where, SignatureDef sig, String wanted) {
    List<String> all = new ArrayList<>(new TreeMap<>(sig.getOutputsMap()).keySet());
    if (wanted == null) {
      return all;
    }
    if (!all.contains(wanted)) {
      throw new BadInputException(String.format("%s has no output '%s'; outputs present: %s", where, wanted,
          String.join(", ", all)));
    }
    return List.of(wanted);
  }

  /** The model with input {@code key}'s {@code Placeholder} shape set to {@code shape}, batch (dimension 0) left open. */
  private static ImportedModel withInputShape(ImportedModel model, String key, long[] shape) {
    GraphIndex index = new GraphIndex(model.graph());
    String tensor = model.inputs().stream().filter(i -> i.key().equals(key)).findFirst().orElseThrow().tensor();
    NodeDef input = index.node(TensorRef.parse(tensor).node());
    if (!input.getOp().equals("Placeholder")) {
      throw new BadInputException(String.format("input '%s' is fed through a %s node %s; --input-shape can only set "
          + "the shape of a Placeholder", key, input.getOp(), input.getName()));
    }
    // The batch stays open (fine-tuning feeds other batch sizes); Freezer fixes it to the one given.
    long[] open = shape.clone();
    open[0] = -1;
    NodeDef fixed = Nodes.placeholder(input.getName(), input.getAttrOrThrow("dtype").getType(), open);
    return model.withGraph(GraphRewriter.apply(model.graph(), List.of(new Rewrite.ReplaceNode(fixed))));
  }

  private static ImportedModel readTf1(Path dir, String tag, String signatureKey, List<String> outputKeys) {
    try (SavedModelBundle bundle = SavedModels.load(dir, tag)) {
      MetaGraphDef meta = bundle.metaGraphDef();
      SignatureDef sig = SavedModels.signature(meta, dir, signatureKey);
      GraphIndex full = new GraphIndex(meta.getGraphDef());
      List<ImportedModel.Input> inputs = new ArrayList<>();
      for (Map.Entry<String, TensorInfo> in : new TreeMap<>(sig.getInputsMap()).entrySet()) {
        inputs.add(new ImportedModel.Input(in.getKey(), placeholderBehind(full, in.getValue().getName())));
      }
      List<FrozenGraph.Output> outputs = new ArrayList<>();
      List<String> outputNodes = new ArrayList<>();
      for (String key : outputKeys) {
        String tensor = sig.getOutputsOrThrow(key).getName();
        outputs.add(new FrozenGraph.Output(key, tensor));
        outputNodes.add(TensorRef.parse(tensor).node());
      }
      Set<String> keep = full.ancestors(outputNodes);
      List<String> unused = inputs.stream().filter(i -> !keep.contains(TensorRef.parse(i.tensor()).node()))
          .map(i -> i.key() + " (" + i.tensor() + ")").toList();
      if (!unused.isEmpty()) {
        throw new BadInputException(String.format("%s: signature outputs %s do not depend on input%s %s", dir,
            outputs.stream().map(FrozenGraph.Output::tensor).toList(), unused.size() == 1 ? "" : "s",
            String.join(", ", unused)));
      }
      GraphIndex inference = new GraphIndex(full.restrictTo(keep));
      List<String> resource = new ArrayList<>();
      List<String> variables = new ArrayList<>();
      List<String> integers = new ArrayList<>();
      for (NodeDef n : inference.nodes()) {
        if (RESOURCE_VARIABLE_OPS.contains(n.getOp())) {
          resource.add(n.getName() + " (" + n.getOp() + ")");
        } else if (REF_VARIABLE_OPS.contains(n.getOp())) {
          if (n.getAttrOrThrow("dtype").getType() != DataType.DT_FLOAT) {
            integers.add(n.getName());
          } else {
            variables.add(n.getName());
          }
        }
      }
      if (!resource.isEmpty()) {
        throw new BadInputException(String.format("%s: the TF1 graph of signature '%s' mixes in TF2 resource "
            + "variables or function calls (%s)", dir, signatureKey,
            resource.size() > 5 ? resource.subList(0, 5) + " and " + (resource.size() - 5) + " more" : resource));
      }
      List<Rewrite> rewrites = singleReads(inference, variables);
      rewrites.addAll(VariableConstants.of(bundle.session(), integers, dir));
      GraphDef graph = GraphRewriter.apply(inference.graph(), rewrites);
      Map<String, ImportedModel.VariableValue> values = readValues(bundle.session(), inference, variables);
      return new ImportedModel(dir, signatureKey, inputs.get(0).key(), inputs.get(0).tensor(), outputs.get(0).key(),
          outputs.get(0).tensor(), graph, values, batchNormStatistics(graph, values.keySet()), outputs, inputs);
    }
  }

  /**
   * The variables a TF1 graph's {@code FusedBatchNorm}/{@code V2}/{@code V3} reads as its moving mean and
   * variance (inputs 3 and 4, through Identity reads): TF1 graphs mark every variable trainable, but an
   * inference-mode batch norm has no gradient for them, so fine-tuning keeps them fixed as TF2 imports do.
   */
  static Set<String> batchNormStatistics(GraphDef graph, Set<String> variables) {
    Map<String, NodeDef> byName = new java.util.HashMap<>();
    for (NodeDef n : graph.getNodeList()) {
      byName.put(n.getName(), n);
    }
    Set<String> frozen = new java.util.HashSet<>();
    for (NodeDef n : graph.getNodeList()) {
      if (!n.getOp().startsWith("FusedBatchNorm") || n.getInputCount() < 5) {
        continue;
      }
      for (int i = 3; i <= 4; i++) {
        String name = n.getInput(i).replaceFirst("^\\^", "").replaceFirst(":\\d+$", "");
        for (int hops = 0; hops < 8 && name != null && !variables.contains(name); hops++) {
          NodeDef producer = byName.get(name);
          name = producer != null && producer.getOp().equals("Identity") && producer.getInputCount() > 0
              ? producer.getInput(0).replaceFirst(":\\d+$", "") : null;
        }
        if (name != null && variables.contains(name)) {
          frozen.add(name);
        }
      }
    }
    return frozen;
  }

  /**
   * The tensor to feed for signature input {@code tensor}: TF1 exports often name an {@code Identity} of the
   * {@code Placeholder} (hub modules, {@code tf.identity(x, "input")}); feeding the placeholder is the same
   * and is what the converter takes as the model's input.
   */
  public static String placeholderBehind(GraphIndex graph, String tensor) {
    NodeDef n = graph.find(TensorRef.parse(tensor).node());
    if (n == null || !n.getOp().equals("Identity")) {
      return tensor;
    }
    NodeDef p = graph.throughIdentities(TensorRef.parse(tensor));
    return p.getOp().equals("Placeholder") ? p.getName() + ":0" : tensor;
  }

  /** Rewrites so that every data use of each variable goes through one Identity {@code <var>/read}. */
  private static List<Rewrite> singleReads(GraphIndex graph, List<String> variables) {
    List<Rewrite> rewrites = new ArrayList<>();
    for (String v : variables) {
      String read = ImportedModel.readOf(v);
      NodeDef existing = graph.find(read);
      boolean haveRead = existing != null && existing.getOp().equals("Identity")
          && TensorRef.parse(existing.getInput(0)).node().equals(v);
      if (existing != null && !haveRead) {
        throw new BadInputException("graph has a node " + read + " that is not the Identity read of variable " + v);
      }
      if (!haveRead) {
        rewrites.add(new Rewrite.AddNode(Nodes.identity(read, v)));
      }
      for (GraphIndex.Use use : graph.uses(v)) {
        if (!use.ref().control() && !use.consumer().getName().equals(read)) {
          rewrites.add(new Rewrite.SetInput(use.consumer().getName(), use.position(), read));
        }
      }
    }
    return rewrites;
  }

  private static Map<String, ImportedModel.VariableValue> readValues(Session session, GraphIndex graph,
      List<String> variables) {
    Map<String, ImportedModel.VariableValue> values = new LinkedHashMap<>();
    if (variables.isEmpty()) {
      return values;
    }
    Session.Runner runner = session.runner();
    variables.forEach(runner::fetch);
    try (Result r = runner.run()) {
      for (int i = 0; i < variables.size(); i++) {
        long[] shape = r.get(i).shape().asArray();
        values.put(variables.get(i), new ImportedModel.VariableValue(shape, Tensors.read(r.get(i))));
      }
    } catch (RuntimeException e) {
      if (!TfErrors.isTensorFlow(e)) {
        throw e;
      }
      throw new BadInputException("could not read the values of variables " + variables + ": "
          + String.valueOf(e.getMessage()).lines().findFirst().orElse(""), e);
    }
    return values;
  }
}
