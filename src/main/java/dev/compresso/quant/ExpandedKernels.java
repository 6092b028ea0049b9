package dev.compresso.quant;

import dev.compresso.graph.GraphIndex;
import dev.compresso.graph.GraphRewriter;
import dev.compresso.graph.IntConstants;
import dev.compresso.graph.Nodes;
import dev.compresso.graph.Rewrite;
import dev.compresso.model.ImportedModel;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.tensorflow.proto.NodeDef;

/**
 * Gives a trainable model's {@code Conv1D} kernels the shape their {@code Conv2D} reads: Keras writes the
 * kernel {@code [k, in, out]} as a variable and expands it per call ({@code ExpandDims(kernel, 0)} to {@code
 * [1, k, in, out]}). QAT plans and rewrites kernels by variable, so here the variable itself becomes 4-D (the
 * same values, row-major) and the {@code ExpandDims} an {@code Identity} of its read; the model computes the
 * same function. Only kernels read by nothing but that one {@code ExpandDims} feeding a weighted op are
 * changed.
 */
public final class ExpandedKernels {

  private ExpandedKernels() {}

  /** {@code model} with its expanded kernels stored expanded; the same model when it has none. */
  public static ImportedModel apply(ImportedModel model) {
    GraphIndex index = new GraphIndex(model.graph());
    Map<String, ImportedModel.VariableValue> values = new LinkedHashMap<>(model.variables());
    List<Rewrite> rewrites = new ArrayList<>();
    for (NodeDef n : index.nodes()) {
      Optional<long[]> shape = expandedShape(index, n, model);
      if (shape.isEmpty()) {
        continue;
      }
      String variable = index.throughIdentities(index.input(n, 0)).getName();
      ImportedModel.VariableValue v = model.variables().get(variable);
      values.put(variable, new ImportedModel.VariableValue(shape.get(), v.values()));
      rewrites.add(new Rewrite.ReplaceNode(Nodes.reshapedVariable(index.node(variable), shape.get())));
      rewrites.add(new Rewrite.ReplaceNode(Nodes.identity(n.getName(), n.getInput(0))));
    }
    return rewrites.isEmpty() ? model : model.with(GraphRewriter.apply(model.graph(), rewrites), values);
  }

  /** The kernel's expanded shape when {@code n} expands a variable read only by it, for a weighted op. */
  private static Optional<long[]> expandedShape(GraphIndex index, NodeDef n, ImportedModel model) {
    if (!n.getOp().equals("ExpandDims") || n.getInputCount() < 2) {
      return Optional.empty();
    }
    NodeDef read = index.node(index.input(n, 0).node());
    NodeDef variable = index.throughIdentities(index.input(n, 0));
    ImportedModel.VariableValue v = model.variables().get(variable.getName());
    long[] axis = IntConstants.of(index.throughIdentities(index.input(n, 1)));
    if (v == null || axis == null || axis.length != 1 || read == variable
        || index.uses(read.getName()).size() != 1 || !feedsWeightedOps(index, n)) {
      return Optional.empty();
    }
    int rank = v.shape().length + 1;
    int a = (int) (axis[0] < 0 ? rank + axis[0] : axis[0]);
    if (a < 0 || a >= rank) {
      return Optional.empty();
    }
    long[] out = new long[rank];
    for (int i = 0, j = 0; i < rank; i++) {
      out[i] = i == a ? 1 : v.shape()[j++];
    }
    return Optional.of(out);
  }

  private static boolean feedsWeightedOps(GraphIndex index, NodeDef n) {
    List<GraphIndex.Use> uses = index.uses(n.getName());
    return !uses.isEmpty() && uses.stream().allMatch(u -> !u.ref().control()
        && QuantOpTable.defaults().rule(u.consumer().getOp()).map(r -> r.role() == OpRole.WEIGHTED).orElse(false));
  }
}
