package dev.compresso.model.tf2;

import dev.compresso.BadInputException;
import dev.compresso.CompressoException;
import dev.compresso.graph.GraphIndex;
import dev.compresso.graph.Nodes;
import dev.compresso.graph.TensorRef;
import dev.compresso.model.FrozenGraph;
import dev.compresso.model.ImportedModel;
import dev.compresso.model.ModelImporter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.MetaGraphDef;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.SignatureDef;
import org.tensorflow.proto.TensorInfo;

/**
 * Imports one signature of a TF2/Keras SavedModel ({@code model.export}, {@code tf.saved_model.save}) as
 * an {@link ImportedModel} of the same form a TF1 model gets: one flat GraphDef with no function library,
 * every float32 variable a {@code VariableV2} read through one {@code Identity} {@code <var>/read}, and the
 * variable values restored from the checkpoint; an integer (numeric) variable becomes a {@code Const} of its
 * restored value, read the same way, as TF1 imports do: nothing trains it.
 *
 * <p>Each signature input {@code Placeholder} keeps its name (an input that names an {@code Identity} of a
 * {@code Placeholder}, as TF1-style graphs saved by TF 2.x do, is fed at the placeholder); an output becomes an {@code Identity}
 * named after the signature's output node (so {@code outputTensor} is the name the signature gives when
 * that is output 0 of its node). Variables are named after the object graph ({@code conv1/kernel}).
 * Whatever cannot be flattened is refused in one {@link BadInputException} listing every such node.
 */
public final class Tf2Importer {

  /** Main-graph op types that mark a signature as TF2 (function calls and resource variables). */
  public static final Set<String> TF2_OPS = Set.of("StatefulPartitionedCall", "PartitionedCall", "VarHandleOp",
      "ReadVariableOp");

  private Tf2Importer() {}

  /** Whether the signature's output depends on function calls or resource variables. */
  public static boolean isTf2(MetaGraphDef meta, SignatureDef signature) {
    OpRegistry ops = new OpRegistry(meta.getGraphDef().getLibrary());
    GraphIndex index = new GraphIndex(meta.getGraphDef());
    List<String> outputs = new ArrayList<>();
    for (TensorInfo t : signature.getOutputsMap().values()) {
      String node = TensorRef.parse(t.getName()).node();
      if (index.find(node) != null) {
        outputs.add(node);
      }
    }
    for (String name : index.ancestors(outputs)) {
      String op = index.node(name).getOp();
      if (TF2_OPS.contains(op) || ops.function(op) != null) {
        return true;
      }
    }
    return false;
  }

  /**
   * Flattens signature {@code signatureKey} (every input and output) of the SavedModel in {@code dir}.
   *
   * @param meta the MetaGraph tagged {@code tag}, already parsed
   * @throws BadInputException listing every node that cannot be flattened (control flow, lookup tables,
   *     string ops, ops writing variables, non-numeric variables), an input of unknown rank, or variables the
   *     checkpoint does not hold
   */
  public static ImportedModel read(Path dir, String tag, MetaGraphDef meta, String signatureKey) {
    SignatureDef sig = meta.getSignatureDefOrThrow(signatureKey);
    return read(dir, tag, meta, signatureKey, new ArrayList<>(new TreeMap<>(sig.getOutputsMap()).keySet()), false);
  }

  /**
   * Flattens outputs {@code outputKeys} of signature {@code signatureKey} (every input); the first key is the
   * primary output.
   *
   * @param shapeGiven whether the caller fixes the input's shape (then an unknown rank is no problem)
   */
  public static ImportedModel read(Path dir, String tag, MetaGraphDef meta, String signatureKey,
      List<String> outputKeys, boolean shapeGiven) {
    SignatureDef sig = meta.getSignatureDefOrThrow(signatureKey);
    GraphIndex main = new GraphIndex(meta.getGraphDef());
    List<ImportedModel.Input> inputs = new ArrayList<>();
    for (Map.Entry<String, TensorInfo> in : new TreeMap<>(sig.getInputsMap()).entrySet()) {
      // A TF1-style graph saved by TF 2.x (resource variables) names an Identity of the Placeholder.
      inputs.add(new ImportedModel.Input(in.getKey(), ModelImporter.placeholderBehind(main, in.getValue().getName())));
    }
    List<String> tensors = new ArrayList<>();
    for (String key : outputKeys) {
      tensors.add(sig.getOutputsOrThrow(key).getName());
    }

    FunctionInliner.Result flat = FunctionInliner.flatten(meta.getGraphDef(), VariableNames.of(meta), tensors);
    List<String> problems = new ArrayList<>();
    for (ImportedModel.Input in : inputs) {
      if (sig.getInputsOrThrow(in.key()).getTensorShape().getUnknownRank() && !shapeGiven) {
        problems.add(String.format("%s (signature input '%s'): unknown rank; the input needs a known number of "
            + "dimensions (give --input-shape)", TensorRef.parse(in.tensor()).node(), in.key()));
      }
    }
    problems.addAll(flat.problems());
    if (!problems.isEmpty()) {
      throw new BadInputException(String.format("%s: signature '%s' cannot be flattened into one graph; %d "
          + "node%s on its path %s not supported: %s", dir, signatureKey, problems.size(),
          problems.size() == 1 ? "" : "s", problems.size() == 1 ? "is" : "are", String.join("; ", problems)));
    }
    Set<String> emitted = new HashSet<>();
    for (NodeDef n : flat.nodes()) {
      emitted.add(n.getName());
    }
    List<String> unused = inputs.stream().filter(i -> !emitted.contains(TensorRef.parse(i.tensor()).node()))
        .map(i -> sig.getInputsOrThrow(i.key()).getName()).toList();
    if (!unused.isEmpty()) {
      throw new BadInputException(String.format("%s: signature '%s' output%s %s do%s not depend on its input%s %s",
          dir, signatureKey, tensors.size() == 1 ? "" : "s", tensors, tensors.size() == 1 ? "es" : "",
          unused.size() == 1 ? "" : "s", String.join(", ", unused)));
    }

    ResourceValues.Restored restored = ResourceValues.read(dir, tag, flat.variables());
    Map<String, ImportedModel.VariableValue> values = restored.floats();
    GraphDef.Builder graph = GraphDef.newBuilder().setVersions(meta.getGraphDef().getVersions());
    for (FunctionInliner.Captured v : flat.variables()) {
      NodeDef constant = restored.constants().get(v.name());
      if (constant != null) { // an integer variable: nothing trains it, so it is frozen here (TF1 imports alike)
        graph.addNode(constant);
        graph.addNode(Nodes.identity(ImportedModel.readOf(v.name()), v.name(), v.dtype()));
      } else {
        graph.addNode(Nodes.variable(v.name(), values.get(v.name()).shape()));
        graph.addNode(Nodes.identity(ImportedModel.readOf(v.name()), v.name()));
      }
    }
    graph.addAllNode(flat.nodes());
    List<FrozenGraph.Output> outputs = new ArrayList<>();
    Map<String, String> nodeOfTensor = new java.util.HashMap<>();
    for (int i = 0; i < outputKeys.size(); i++) {
      TensorInfo info = sig.getOutputsOrThrow(outputKeys.get(i));
      String known = nodeOfTensor.get(info.getName());
      if (known != null) { // two keys for one tensor (e.g. an alias): one Identity serves both
        outputs.add(new FrozenGraph.Output(outputKeys.get(i), known + ":0"));
        continue;
      }
      TensorRef outputRef = TensorRef.parse(info.getName());
      String outputNode = outputRef.index() == 0 ? outputRef.node() : outputRef.node() + "_output_" + outputRef.index();
      nodeOfTensor.put(info.getName(), outputNode);
      String flatOutput = flat.outputs().get(i);
      if (emitted.contains(outputNode) && (flatOutput.equals(outputNode) || flatOutput.equals(outputNode + ":0"))) {
        // A main-graph node (a TF1-style graph saved by TF 2.x) kept its name: it is the output as it is.
        outputs.add(new FrozenGraph.Output(outputKeys.get(i), outputNode + ":0"));
        continue;
      }
      if (emitted.contains(outputNode)) {
        throw CompressoException.internal("flattened graph already has a node " + outputNode
            + ", the name chosen for the signature output", null);
      }
      emitted.add(outputNode);
      graph.addNode(Nodes.identity(outputNode, flat.outputs().get(i), info.getDtype()));
      outputs.add(new FrozenGraph.Output(outputKeys.get(i), outputNode + ":0"));
    }
    GraphDef result = graph.build();
    new GraphIndex(result); // checks that names are unique
    Set<String> frozenHandles = VariableNames.frozenHandles(meta);
    Set<String> frozen = new HashSet<>();
    for (FunctionInliner.Captured v : flat.variables()) {
      if (frozenHandles.contains(v.handle())) {
        frozen.add(v.name());
      }
    }
    List<FrozenGraph.Output> sorted = new ArrayList<>(outputs);
    sorted.sort(java.util.Comparator.comparing(FrozenGraph.Output::key));
    return new ImportedModel(dir, signatureKey, inputs.get(0).key(), inputs.get(0).tensor(), outputs.get(0).key(),
        outputs.get(0).tensor(), result, values, frozen, sorted, inputs);
  }
}
