package dev.compresso.model;

import dev.compresso.BadInputException;
import dev.compresso.graph.GraphIndex;
import dev.compresso.graph.GraphRewriter;
import dev.compresso.graph.Nodes;
import dev.compresso.graph.Rewrite;
import dev.compresso.model.keras.KerasImporter;
import dev.compresso.model.tf2.Tf2Importer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.proto.AttrValue;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.MetaGraphDef;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.SignatureDef;
import org.tensorflow.proto.TensorInfo;
import org.tensorflow.proto.TensorProto;
import org.tensorflow.proto.TensorShapeProto;

/**
 * Freezes a TF1-style SavedModel (ref {@code VariableV2} variables, as TF Java's exporter writes them) into
 * a {@link FrozenGraph}: the subgraph one signature's outputs need, every variable replaced by a {@code
 * Const} holding its restored value, the signature's input batch dimension fixed.
 *
 * <p>Follows TensorFlow's {@code graph_util.extract_sub_graph} (walk data and control inputs back from
 * the outputs, keep the reached nodes in their original order) and {@code
 * convert_variables_to_constants} (a variable node becomes a {@code Const} with the same name and the
 * value read in a session). Ops that take a ref input read variables through {@code Identity} in the
 * graphs Compresso writes, and {@code Identity} of a {@code Const} is what the converter expects.
 *
 * <p>{@code MaxPoolV2} with constant window and strides (TF Java's max pool) becomes {@code MaxPool}, the
 * form the converter legalizes ({@link MaxPoolV2Rewrite}).
 *
 * <p>A TF2/Keras SavedModel (resource variables behind {@code StatefulPartitionedCall}) is first imported
 * ({@link ModelImporter}, which flattens its functions into the TF1 form), then frozen like any {@link
 * ImportedModel} ({@link #freeze(ImportedModel, int)}).
 */
public final class Freezer {

  /** The signature frozen when none is named. */
  public static final String DEFAULT_SIGNATURE = "serving_default";

  /** The SavedModel tag loaded. */
  public static final String SERVE_TAG = "serve";

  /** The batch size an unknown leading input dimension is fixed to (the Edge TPU needs static shapes). */
  public static final int DEFAULT_BATCH = 1;

  private static final Set<String> REF_VARIABLE_OPS = Set.of("VariableV2", "Variable");
  private static final Set<String> TF2_OPS = Set.of(
      "VarHandleOp", "ReadVariableOp", "StatefulPartitionedCall", "PartitionedCall");

  private Freezer() {}

  /** Freezes {@code serving_default} of the SavedModel in {@code dir} with the batch fixed to 1. */
  public static FrozenGraph freeze(Path dir) {
    return freeze(dir, DEFAULT_SIGNATURE, DEFAULT_BATCH);
  }

  /**
   * Freezes one signature of the SavedModel in {@code dir}.
   *
   * @param dir a SavedModel directory (holds {@code saved_model.pb}), tag {@code serve}
   * @param signature the signature key
   * @param batch the size an unknown leading input dimension is fixed to; 0 keeps it unknown
   */
  public static FrozenGraph freeze(Path dir, String signature, int batch) {
    try {
      return freezeUnnamed(dir, signature, batch);
    } catch (BadInputException e) {
      throw ModelImporter.naming(dir, e);
    }
  }

  private static FrozenGraph freezeUnnamed(Path dir, String signature, int batch) {
    if (KerasImporter.isKerasFile(dir)) {
      return freeze(ModelImporter.read(dir, SERVE_TAG, signature), batch);
    }
    if (!Files.isRegularFile(dir.resolve("saved_model.pb"))) {
      throw new BadInputException(dir + " is not a SavedModel directory (no saved_model.pb in it)");
    }
    MetaGraphDef parsed = SavedModels.metaGraph(SavedModels.read(dir), dir, SERVE_TAG);
    SignatureDef parsedSig = parsed.getSignatureDefMap().get(signature);
    if (parsedSig != null && Tf2Importer.isTf2(parsed, parsedSig)) {
      return freeze(ModelImporter.read(dir, SERVE_TAG, signature), batch);
    }
    SavedModelBundle bundle;
    try {
      bundle = SavedModelBundle.load(dir.toString(), SERVE_TAG);
    } catch (RuntimeException e) {
      if (!TfErrors.isTensorFlow(e)) {
        throw e;
      }
      throw new BadInputException("could not load the SavedModel " + dir + " with tag '" + SERVE_TAG + "': "
          + firstLine(e.getMessage()), e);
    }
    try (bundle) {
      return freeze(bundle, dir.toString(), signature, batch);
    }
  }

  /**
   * Freezes one signature of an already loaded SavedModel.
   *
   * @param bundle the loaded model (its session holds the restored variable values)
   * @param source how to name the model in messages (its directory)
   * @param signature the signature key
   * @param batch the size an unknown leading input dimension is fixed to; 0 keeps it unknown
   */
  public static FrozenGraph freeze(SavedModelBundle bundle, String source, String signature, int batch) {
    if (batch < 0) {
      throw new BadInputException("batch size must be 0 (keep unknown) or positive, got " + batch);
    }
    MetaGraphDef meta = bundle.metaGraphDef();
    SignatureDef sig = meta.getSignatureDefMap().get(signature);
    if (sig == null) {
      throw new BadInputException(source + " has no signature '" + signature + "'; it has: "
          + new TreeSet<>(meta.getSignatureDefMap().keySet()));
    }
    GraphDef graph = meta.getGraphDef();
    Map<String, NodeDef> byName = new HashMap<>();
    for (NodeDef n : graph.getNodeList()) {
      byName.put(n.getName(), n);
    }

    List<FrozenGraph.Output> outputs = new ArrayList<>();
    for (Map.Entry<String, TensorInfo> e : sig.getOutputsMap().entrySet()) {
      outputs.add(new FrozenGraph.Output(e.getKey(), tensorName(e.getValue(), source, e.getKey())));
    }
    Map<String, FrozenGraph.Input> inputsByNode = new LinkedHashMap<>();
    for (Map.Entry<String, TensorInfo> e : sig.getInputsMap().entrySet()) {
      String tensor = tensorName(e.getValue(), source, e.getKey());
      String node = nodeOf(tensor);
      if (!byName.containsKey(node)) {
        throw new BadInputException(source + ": signature '" + signature + "' input '" + e.getKey()
            + "' names node '" + node + "', which is not in the graph");
      }
      if (e.getValue().getTensorShape().getUnknownRank()) {
        throw new BadInputException(source + ": signature '" + signature + "' input '" + e.getKey()
            + "' has unknown rank; the converter needs at least the number of dimensions");
      }
      long[] shape = shapeOf(e.getValue().getTensorShape(), batch);
      inputsByNode.put(node, new FrozenGraph.Input(e.getKey(), node, e.getValue().getDtype(), shape));
    }

    Set<String> needed = reachable(byName, outputs, inputsByNode.keySet(), source, signature);
    List<String> tf2 = new ArrayList<>();
    List<String> variables = new ArrayList<>();
    for (NodeDef n : graph.getNodeList()) {
      if (!needed.contains(n.getName())) {
        continue;
      }
      if (TF2_OPS.contains(n.getOp())) {
        tf2.add(n.getName() + " (" + n.getOp() + ")");
      } else if (REF_VARIABLE_OPS.contains(n.getOp())) {
        variables.add(n.getName());
      }
    }
    if (!tf2.isEmpty()) {
      throw new BadInputException(source + " is a TF2/Keras SavedModel (resource variables or function calls: "
          + String.join(", ", tf2.subList(0, Math.min(5, tf2.size()))) + (tf2.size() > 5 ? ", ..." : "")
          + "); freezing takes TF1-style graphs with VariableV2 variables, as Compresso's own stages write");
    }
    Map<String, TensorProto> values = readVariables(bundle.session(), variables, source);

    GraphDef.Builder out = GraphDef.newBuilder().setVersions(graph.getVersions()).setLibrary(graph.getLibrary());
    for (NodeDef n : graph.getNodeList()) {
      if (!needed.contains(n.getName())) {
        continue;
      }
      NodeDef.Builder b;
      if (values.containsKey(n.getName())) {
        TensorProto value = values.get(n.getName());
        b = NodeDef.newBuilder().setName(n.getName()).setOp("Const")
            .putAttr("dtype", AttrValue.newBuilder().setType(value.getDtype()).build())
            .putAttr("value", AttrValue.newBuilder().setTensor(value).build());
      } else {
        b = MaxPoolV2Rewrite.apply(n, byName).toBuilder().clearDevice();
        FrozenGraph.Input in = inputsByNode.get(n.getName());
        if (in != null && n.getOp().equals("Placeholder")) {
          b.putAttr("shape", AttrValue.newBuilder().setShape(shapeProto(in.shape())).build());
        }
      }
      out.addNode(b);
    }
    return new FrozenGraph(out.build(), signature, List.copyOf(inputsByNode.values()), outputs);
  }

  /**
   * Freezes an imported model: each {@code VariableV2} becomes a {@code Const} of its value in {@code
   * model.variables()}, and the input {@code Placeholder}'s unknown batch dimension is fixed to {@code batch}.
   * The graph is already cut to what the output needs (the importer did that).
   *
   * @param batch the size an unknown leading input dimension is fixed to; 0 keeps it unknown
   */
  public static FrozenGraph freeze(ImportedModel model, int batch) {
    if (batch < 0) {
      throw new BadInputException("batch size must be 0 (keep unknown) or positive, got " + batch);
    }
    GraphIndex index = new GraphIndex(model.graph());
    List<Rewrite> rewrites = new ArrayList<>();
    for (Map.Entry<String, ImportedModel.VariableValue> v : model.variables().entrySet()) {
      rewrites.add(new Rewrite.ReplaceNode(Nodes.constant(v.getKey(), v.getValue().values(), v.getValue().shape())));
    }
    List<String> unrestored = new ArrayList<>();
    for (NodeDef n : index.nodes()) {
      if (REF_VARIABLE_OPS.contains(n.getOp()) && !model.variables().containsKey(n.getName())) {
        unrestored.add(n.getName());
      }
    }
    if (!unrestored.isEmpty()) {
      throw new BadInputException(model.source() + ": variables " + unrestored + " have no value to freeze");
    }
    String inputNode = nodeOf(model.inputTensor());
    NodeDef placeholder = index.node(inputNode);
    DataType dtype = placeholder.getAttrOrThrow("dtype").getType();
    AttrValue shapeAttr = placeholder.getAttrMap().get("shape");
    if (shapeAttr == null || shapeAttr.getShape().getUnknownRank()) {
      throw new BadInputException(model.source() + ": input " + model.inputKey() + " (" + inputNode
          + ") has unknown rank; the converter needs at least the number of dimensions");
    }
    long[] shape = shapeOf(shapeAttr.getShape(), batch);
    if (placeholder.getOp().equals("Placeholder")) {
      rewrites.add(new Rewrite.ReplaceNode(Nodes.placeholder(inputNode, dtype, shape)));
    }
    GraphDef frozen = GraphRewriter.apply(model.graph(), rewrites);
    return new FrozenGraph(frozen, model.signatureKey(),
        List.of(new FrozenGraph.Input(model.inputKey(), inputNode, dtype, shape)),
        List.of(new FrozenGraph.Output(model.outputKey(), model.outputTensor())));
  }

  private static Set<String> reachable(Map<String, NodeDef> byName, List<FrozenGraph.Output> outputs,
      Set<String> inputs, String source, String signature) {
    Set<String> seen = new HashSet<>();
    Deque<String> todo = new ArrayDeque<>();
    for (FrozenGraph.Output o : outputs) {
      todo.add(o.node());
    }
    while (!todo.isEmpty()) {
      String name = todo.pop();
      if (!seen.add(name)) {
        continue;
      }
      NodeDef n = byName.get(name);
      if (n == null) {
        throw new BadInputException(source + ": signature '" + signature + "' needs node '" + name
            + "', which is not in the graph");
      }
      if (inputs.contains(name)) {
        continue;
      }
      for (String input : n.getInputList()) {
        todo.add(nodeOf(input.startsWith("^") ? input.substring(1) : input));
      }
    }
    return seen;
  }

  private static Map<String, TensorProto> readVariables(Session session, List<String> names, String source) {
    Map<String, TensorProto> values = new HashMap<>();
    if (names.isEmpty()) {
      return values;
    }
    Session.Runner runner = session.runner();
    for (String name : names) {
      runner.fetch(name);
    }
    try (Result result = runner.run()) {
      for (int i = 0; i < names.size(); i++) {
        values.put(names.get(i), toProto(result.get(i)));
      }
    } catch (RuntimeException e) {
      if (!TfErrors.isTensorFlow(e)) {
        throw e;
      }
      throw new BadInputException(source + ": could not read the values of variables " + names
          + " (was the SavedModel saved with its variables?): " + firstLine(e.getMessage()), e);
    }
    return values;
  }

  /** A tensor's value as a {@code TensorProto} with {@code tensor_content} (little-endian, row-major). */
  static TensorProto toProto(Tensor t) {
    DataType dtype = t.dataType();
    TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
    for (long d : t.shape().asArray()) {
      shape.addDim(TensorShapeProto.Dim.newBuilder().setSize(d));
    }
    byte[] bytes = new byte[(int) t.numBytes()];
    t.asRawTensor().data().read(bytes);
    return TensorProto.newBuilder().setDtype(dtype).setTensorShape(shape)
        .setTensorContent(com.google.protobuf.ByteString.copyFrom(bytes)).build();
  }

  private static String tensorName(TensorInfo info, String source, String key) {
    if (!info.hasName() && info.getName().isEmpty()) {
      throw new BadInputException(source + ": signature tensor '" + key + "' is not a plain tensor (sparse or "
          + "composite tensors are not supported)");
    }
    return info.getName();
  }

  private static long[] shapeOf(TensorShapeProto proto, int batch) {
    long[] shape = new long[proto.getDimCount()];
    for (int i = 0; i < shape.length; i++) {
      shape[i] = proto.getDim(i).getSize();
    }
    if (shape.length > 0 && shape[0] < 0 && batch > 0) {
      shape[0] = batch;
    }
    return shape;
  }

  private static TensorShapeProto shapeProto(long[] shape) {
    TensorShapeProto.Builder b = TensorShapeProto.newBuilder();
    for (long d : shape) {
      b.addDim(TensorShapeProto.Dim.newBuilder().setSize(d));
    }
    return b.build();
  }

  static String nodeOf(String tensor) {
    int colon = tensor.lastIndexOf(':');
    return colon < 0 ? tensor : tensor.substring(0, colon);
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "(no message)";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }
}
