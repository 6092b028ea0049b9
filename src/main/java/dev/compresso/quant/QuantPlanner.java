package dev.compresso.quant;

import dev.compresso.BadInputException;
import dev.compresso.graph.GraphIndex;
import dev.compresso.graph.TensorRef;
import dev.compresso.model.FrozenGraph;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.tensorflow.proto.AttrValue;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.NodeDef;

/**
 * Finds every tensor and kernel TFLite will quantize in a frozen float graph, by {@link QuantOpTable}:
 * the model inputs, the end of each fused weighted group (the FakeQuant goes after the ReLU when one
 * follows the BiasAdd, after the BiasAdd otherwise), outputs of ops with their own range (add, mul,
 * concat, a lone bias add or ReLU), fixed-range outputs (sigmoid, softmax, tanh), and the weighted ops'
 * kernels. Same-scale ops (pooling, resize, reshape) get no range of their own: TFLite int8 requires
 * their output to share the input's scale and the converter propagates it.
 *
 * <p>Every float op with no rule is collected and reported at once (node and op) as a {@link
 * BadInputException}: it has no int8 TFLite form and would leave the model half float.
 */
public final class QuantPlanner {

  /** TFLite int8 sigmoid / softmax output: scale 1/256, zero point -128, i.e. [0, 255/256]. */
  static final float[] UNIT_RANGE = {0f, 255f / 256f};
  /** TFLite int8 tanh output: scale 1/128, zero point 0, i.e. [-1, 127/128]. */
  static final float[] TANH_RANGE = {-1f, 127f / 128f};

  private final QuantOpTable table;

  public QuantPlanner(QuantOpTable table) {
    this.table = table;
  }

  /** A planner with {@link QuantOpTable#defaults()}. */
  public static QuantPlanner defaults() {
    return new QuantPlanner(QuantOpTable.defaults());
  }

  /**
   * Plans {@code graph}.
   *
   * @throws BadInputException listing every float node whose op type has no int8 TFLite form, or a
   *     kernel that is not a constant
   */
  public QuantPlan plan(FrozenGraph graph) {
    return plan(graph, Set.of());
  }

  /**
   * Plans {@code graph}, leaving the nodes {@code keepFloat} float when their op has no int8 form: their output
   * gets a range of its own, so that the converter quantizes it again for the int8 ops that read it and keeps
   * the op float between a {@code DEQUANTIZE} and a {@code QUANTIZE}.
   *
   * @throws BadInputException as {@link #plan(FrozenGraph)}, for the nodes not kept float
   */
  public QuantPlan plan(FrozenGraph graph, Set<String> keepFloat) {
    GraphIndex index = new GraphIndex(graph.graphDef());
    Set<String> inputs = graph.inputs().stream().map(FrozenGraph.Input::node).collect(Collectors.toSet());
    Map<String, FusedGroup> groupsByEnd = new LinkedHashMap<>();
    Map<String, FusedGroup> groupOfMember = new HashMap<>();
    List<String> unsupported = new ArrayList<>();
    List<String> unsupportedOps = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    for (NodeDef n : index.nodes()) {
      Optional<OpRule> rule = table.rule(n.getOp());
      if (rule.isPresent() && rule.get().role() == OpRole.WEIGHTED) {
        FusedGroup g = fuse(index, n);
        groupsByEnd.put(g.end(), g);
        for (String member : new String[] {g.weighted(), g.bias(), g.activation()}) {
          if (member != null) {
            groupOfMember.put(member, g);
          }
        }
      }
    }

    Set<String> insideGelu = geluInsides(index);
    List<QuantPlan.ActivationSite> sites = new ArrayList<>();
    List<QuantPlan.WeightSite> weights = new ArrayList<>();
    for (NodeDef n : index.nodes()) {
      if (insideGelu.contains(n.getName())) {
        continue;
      }
      Optional<OpRule> found = table.rule(n.getOp());
      if (found.isEmpty()) {
        if (floatOutput(n) && keepFloat.contains(n.getName())) {
          sites.add(new QuantPlan.ActivationSite(n.getName(), n.getOp(), null));
        } else if (floatOutput(n)) {
          unsupported.add(n.getName());
          unsupportedOps.add(n.getName() + " (" + n.getOp() + ")");
        }
        continue;
      }
      OpRule rule = found.get();
      switch (rule.role()) {
        case INPUT -> {
          if (inputs.contains(n.getName()) && floatOutput(n)) {
            sites.add(new QuantPlan.ActivationSite(n.getName(), n.getOp(), null));
          }
        }
        case WEIGHTED -> {
          FusedGroup g = groupOfMember.get(n.getName());
          WeightQuant spec = rule.weight();
          NodeDef kernel = index.throughIdentities(index.input(n, spec.input()));
          if (!kernel.getOp().equals("Const")) {
            problems.add(n.getName() + " (" + n.getOp() + ") reads its kernel from " + kernel.getName() + " ("
                + kernel.getOp() + "), not a constant");
          } else {
            weights.add(new QuantPlan.WeightSite(n.getName(), n.getOp(), spec.input(), kernel.getName(), spec));
          }
          if (g.end().equals(n.getName())) {
            sites.add(new QuantPlan.ActivationSite(n.getName(), n.getOp(), null));
          }
        }
        case BIAS, ACTIVATION -> {
          FusedGroup g = groupOfMember.get(n.getName());
          if (floatOutput(n) && (g == null || g.end().equals(n.getName()))) {
            sites.add(new QuantPlan.ActivationSite(n.getName(), n.getOp(), null));
          }
        }
        case OWN_RANGE -> {
          if (floatOutput(n)) {
            sites.add(new QuantPlan.ActivationSite(n.getName(), n.getOp(), null));
          }
        }
        case FIXED_RANGE -> sites.add(new QuantPlan.ActivationSite(n.getName(), n.getOp(),
            (n.getOp().equals("Tanh") ? TANH_RANGE : UNIT_RANGE).clone()));
        case SAME_SCALE -> {
          // A gather from a float constant (an embedding table) needs the table quantized as a weight, which
          // no rule here does: it stays refused, as before GatherV2 had a rule; a gather of activations is same-scale.
          if (n.getOp().equals("GatherV2") && floatOutput(n)
              && index.throughIdentities(index.input(n, 0)).getOp().equals("Const")) {
            unsupported.add(n.getName());
            unsupportedOps.add(n.getName() + " (" + n.getOp() + " of a constant table)");
          }
        }
        case NOT_QUANTIZED, INTEGER_RESULT -> { }
      }
    }
    if (!unsupported.isEmpty()) {
      throw new BadInputException(unsupported.size() + " node(s) have no int8 TFLite form, so the model cannot "
          + "be fully integer: " + String.join(", ", unsupportedOps) + ". Keep them float in the int8 model "
          + "with 'compresso convert --keep-float " + String.join(",", unsupported) + "', or convert to float: "
          + "'compresso convert --precision fp16' (or dynamic). Quantizable op types: " + table.opTypes());
    }
    if (!problems.isEmpty()) {
      throw new BadInputException("cannot quantize: " + String.join("; ", problems));
    }
    return new QuantPlan(sites, weights, groupsByEnd);
  }

  /**
   * The inner nodes of every exact GELU, {@code (x * 0.5) * (erf(x * (1 / sqrt 2)) + 1)} (how Keras writes
   * {@code gelu}): the converter fuses the whole pattern into one int8 {@code GELU} op (its {@code MatchGelu}),
   * so only {@code x} and the final product get ranges; a range inside would break the fusion and leave the
   * {@code Erf}, which has no TFLite op, float. Operands of each Mul/Add in either order.
   */
  static Set<String> geluInsides(GraphIndex index) {
    Set<String> inside = new java.util.HashSet<>();
    for (NodeDef erf : index.nodes()) {
      if (!erf.getOp().equals("Erf")) {
        continue;
      }
      NodeDef scaled = index.throughIdentities(index.input(erf, 0));
      String x = scaledInput(index, scaled, (float) (1 / Math.sqrt(2.0)));
      NodeDef onePlus = soleConsumer(index, erf);
      if (x == null || onePlus == null || !onePlus.getOp().matches("AddV2|Add")
          || scaledInput(index, onePlus, 1f, erf.getName()) == null) {
        continue;
      }
      NodeDef product = soleConsumer(index, onePlus);
      if (product == null || !product.getOp().equals("Mul")) {
        continue;
      }
      NodeDef other = index.throughIdentities(index.input(product,
          TensorRef.parse(product.getInput(0)).node().equals(onePlus.getName()) ? 1 : 0));
      if (!x.equals(scaledInput(index, other, 0.5f))) {
        continue;
      }
      inside.addAll(List.of(scaled.getName(), erf.getName(), onePlus.getName(), other.getName()));
    }
    return inside;
  }

  /** The node {@code n} multiplies by (or adds, for an Add) the scalar constant {@code c}, or null. */
  private static String scaledInput(GraphIndex index, NodeDef n, float c) {
    return scaledInput(index, n, c, null);
  }

  private static String scaledInput(GraphIndex index, NodeDef n, float c, String expected) {
    if (n.getInputCount() < 2) {
      return null;
    }
    for (int k = 0; k < 2; k++) {
      NodeDef constant = index.throughIdentities(index.input(n, k));
      NodeDef other = index.throughIdentities(index.input(n, 1 - k));
      if (constant.getOp().equals("Const") && dev.compresso.graph.Nodes.isScalar(constant, c)
          && (expected == null || other.getName().equals(expected))) {
        return other.getName();
      }
    }
    return null;
  }



  /** {@code weighted -> [BiasAdd] -> [Relu|Relu6]}, each step taken only when it is the sole consumer. */
  private FusedGroup fuse(GraphIndex index, NodeDef weighted) {
    String bias = null;
    String activation = null;
    String activationOp = null;
    NodeDef end = weighted;
    NodeDef next = soleConsumer(index, end);
    if (next != null && table.rule(next.getOp()).map(r -> r.role() == OpRole.BIAS).orElse(false)
        && TensorRef.parse(next.getInput(0)).node().equals(end.getName())) {
      bias = next.getName();
      end = next;
      next = soleConsumer(index, end);
    }
    if (next != null && table.rule(next.getOp()).map(r -> r.role() == OpRole.ACTIVATION).orElse(false)) {
      activation = next.getName();
      activationOp = next.getOp();
    }
    return new FusedGroup(weighted.getName(), bias, activation, activationOp);
  }

  private static NodeDef soleConsumer(GraphIndex index, NodeDef n) {
    List<GraphIndex.Use> uses = index.uses(n.getName());
    if (uses.size() != 1 || uses.get(0).ref().control()) {
      return null;
    }
    return uses.get(0).consumer();
  }

  /**
   * Whether the node's output is float32 by its {@code DstT} / {@code output_type} / {@code out_type} / {@code
   * T} / {@code Tparams} (a gather) / {@code dtype} attribute, the first present (none: assume so).
   */
  static boolean floatOutput(NodeDef n) {
    for (String attr : new String[] {"DstT", "output_type", "out_type", "T", "Tparams", "dtype"}) {
      AttrValue v = n.getAttrMap().get(attr);
      if (v != null) {
        return v.getType() == DataType.DT_FLOAT;
      }
    }
    return true;
  }
}
