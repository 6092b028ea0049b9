package dev.compresso.prune.shrink;

import dev.compresso.BadInputException;
import dev.compresso.graph.GraphIndex;
import dev.compresso.graph.GraphRewriter;
import dev.compresso.graph.IntConstants;
import dev.compresso.graph.Nodes;
import dev.compresso.graph.Rewrite;
import dev.compresso.graph.TensorRef;
import dev.compresso.model.ImportedModel;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.proto.NodeDef;

/**
 * Physically removes dead output channels after channel pruning, so the dense model itself shrinks.
 *
 * <p>A producer ({@code Conv2D}, {@code Conv2DBackpropInput}, {@code MatMul} reading a variable) has a
 * dead channel where its whole output filter is zero. That channel is removed when its value is exactly
 * zero at every op that consumes it: after a {@code BiasAdd} it holds the constant {@code b[c]}, after
 * a ReLU {@code relu(b[c])}. <b>Choice:</b> a dead filter whose constant output is nonzero is kept, not
 * folded into the consumers' biases: for a SAME-padded k x k conv the constant's contribution differs
 * at the image border (zero padding), and for a strided transposed conv it varies with the output
 * position, so a fold would change the function. Channel pruning masks the bias with its filter (see
 * {@code ChannelBiases}), so pruned filters output exactly zero and are all removed; the shrink itself
 * changes outputs only by float rounding.
 *
 * <p>Removing channel {@code c} slices the producer's weight (output axis), every bias on the way, and
 * the input axis of every consumer's weight at the channel's offset there (after {@code ConcatV2}
 * skips), and lowers the channel entry of a transposed conv's {@code output_shape} constant. Producers
 * whose channels reach an op outside {@link ShrinkOps} (an {@code Add} of two branches, {@code Mul},
 * {@code Reshape}, the model's output) are left whole and listed in {@link Result#skipped}, never an
 * error: removing them correctly would need the same channels removed from every branch. At least one
 * channel of every producer stays.
 */
public final class Shrinker {

  /** A producer that lost channels. */
  public record Layer(String node, String op, int channelsBefore, int channelsAfter) {}

  /** A producer with dead channels that was left whole, and why. */
  public record Skipped(String node, String op, int deadChannels, String reason) {}

  /**
   * The shrunk model and what changed.
   *
   * @param model the model with channels removed (same signature)
   * @param parametersBefore elements of all variables before
   * @param parametersAfter and after
   */
  public record Result(ImportedModel model, long parametersBefore, long parametersAfter, List<Layer> layers,
      List<Skipped> skipped) {

    public double ratio() {
      return parametersBefore == 0 ? 1 : (double) parametersAfter / parametersBefore;
    }
  }

  private Shrinker() {}

  /** Removes the dead output channels of {@code model} (a stripped model: no masks). */
  public static Result shrink(ImportedModel model) {
    GraphIndex graph = new GraphIndex(model.graph());
    Map<String, Map<Integer, TreeSet<Integer>>> removals = new LinkedHashMap<>();
    Map<String, int[]> consts = new LinkedHashMap<>();
    List<Layer> layers = new ArrayList<>();
    List<Skipped> skipped = new ArrayList<>();
    try (Graph tf = new Graph()) {
      try {
        tf.importGraphDef(model.graph());
      } catch (IllegalArgumentException e) {
        throw new BadInputException(model.source() + ": TensorFlow rejected the graph: " + e.getMessage(), e);
      }
      for (NodeDef p : graph.nodes()) {
        ShrinkOps.Entry entry = ShrinkOps.find(p.getOp());
        if (entry == null || entry.kind() != ShrinkOps.Kind.PRODUCER || p.getInputCount() < 2) {
          continue;
        }
        NodeDef weightNode = graph.throughIdentities(graph.input(p, 1));
        ImportedModel.VariableValue w = model.variables().get(weightNode.getName());
        if (w == null) {
          continue;
        }
        int axis = entry.outputAxis(p);
        int channels = (int) w.shape()[axis];
        List<Integer> dead = new ArrayList<>();
        for (int c = 0; c < channels; c++) {
          if (Slicing.allZero(w.values(), w.shape(), axis, c)) {
            dead.add(c);
          }
        }
        if (dead.isEmpty()) {
          continue;
        }
        ChannelTrace trace = new ChannelTrace(graph, model, t -> channelsOf(tf, t));
        int[] shapeConst;
        String shapeNode = null;
        try {
          trace.soleVariable(p, 1);
          trace.run(p, channels);
          if (p.getOp().equals("Conv2DBackpropInput")) {
            shapeNode = outputShapeConst(graph, p, channels);
          }
        } catch (ChannelTrace.Stop stop) {
          skipped.add(new Skipped(p.getName(), p.getOp(), dead.size(), stop.getMessage()));
          continue;
        }
        TreeSet<Integer> remove = new TreeSet<>();
        for (int c : dead) {
          boolean zeroEverywhere = trace.atConsumers.stream().allMatch(v -> v[c] == 0f);
          if (zeroEverywhere) {
            remove.add(c);
          }
        }
        if (remove.size() == channels) {
          remove.remove(remove.last());
        }
        if (remove.isEmpty()) {
          skipped.add(new Skipped(p.getName(), p.getOp(), dead.size(), "its dead filters output a nonzero constant "
              + "(bias) that its consumers would miss"));
          continue;
        }
        add(removals, weightNode.getName(), axis, 0, remove);
        for (ChannelTrace.Slice s : trace.slices) {
          add(removals, s.variable(), s.axis(), s.offset(), remove);
        }
        if (shapeNode != null) {
          int[] v = consts.computeIfAbsent(shapeNode, n -> IntConstants.int32(graph.node(n)).clone());
          v[v.length - 1] -= remove.size();
        }
        layers.add(new Layer(p.getName(), p.getOp(), channels, channels - remove.size()));
      }
    }
    List<Rewrite> rewrites = new ArrayList<>();
    Map<String, ImportedModel.VariableValue> values = new LinkedHashMap<>(model.variables());
    removals.forEach((variable, byAxis) -> {
      ImportedModel.VariableValue v = model.variables().get(variable);
      long[] shape = Slicing.shapeAfter(v.shape(), byAxis);
      values.put(variable, new ImportedModel.VariableValue(shape, Slicing.slice(v.values(), v.shape(), byAxis)));
      NodeDef node = graph.node(variable);
      rewrites.add(new Rewrite.ReplaceNode(Nodes.reshapedVariable(node, shape)));
    });
    consts.forEach((name, v) -> rewrites.add(new Rewrite.ReplaceNode(Nodes.withIntValues(graph.node(name), v))));
    ImportedModel shrunk = model.with(GraphRewriter.apply(model.graph(), rewrites), values);
    return new Result(shrunk, model.parameterCount(), shrunk.parameterCount(), layers, skipped);
  }

  private static void add(Map<String, Map<Integer, TreeSet<Integer>>> removals, String variable, int axis, int offset,
      TreeSet<Integer> channels) {
    TreeSet<Integer> set = removals.computeIfAbsent(variable, k -> new LinkedHashMap<>())
        .computeIfAbsent(axis, k -> new TreeSet<>());
    for (int c : channels) {
      set.add(offset + c);
    }
  }

  /** The static channel count (last dimension) of tensor {@code ref}, from TensorFlow's shape inference. */
  private static int channelsOf(Graph tf, String ref) {
    TensorRef r = TensorRef.parse(ref);
    GraphOperation op = tf.operation(r.node());
    Shape s = op == null ? Shape.unknown() : op.output(r.index()).shape();
    if (s.isUnknown() || s.numDimensions() == 0 || s.size(s.numDimensions() - 1) < 0) {
      throw new ChannelTrace.Stop("the channel count of " + ref + ", a concat input, is not static");
    }
    return (int) s.size(s.numDimensions() - 1);
  }

  /**
   * The Const holding the channel entry of a transposed conv's {@code output_shape}: the input itself
   * ({@code [n,h,w,c]}), or the last value of a {@code ConcatV2}/{@code Pack} building it (e.g. {@code
   * concat([batch], [h,w,c])}); its last element must equal {@code channels}, and nothing else may read it.
   */
  private static String outputShapeConst(GraphIndex graph, NodeDef conv, int channels) {
    NodeDef n = graph.throughIdentities(graph.input(conv, 0));
    NodeDef c = n;
    if (n.getOp().equals("ConcatV2") || n.getOp().equals("Pack")) {
      int values = (int) n.getAttrOrThrow("N").getI();
      c = graph.throughIdentities(graph.input(n, values - 1));
    }
    int[] v = IntConstants.int32(c);
    if (v == null || v.length == 0 || v[v.length - 1] != channels) {
      throw new ChannelTrace.Stop("its output_shape (" + n.getName() + ", " + n.getOp() + ") is not built from an "
          + "int32 Const whose last entry is the channel count " + channels);
    }
    long readers = graph.uses(c.getName()).stream().filter(u -> !u.ref().control()).count();
    if (readers != 1) {
      throw new ChannelTrace.Stop("its output_shape constant " + c.getName() + " is read by " + readers + " ops");
    }
    return c.getName();
  }
}
