package dev.compresso.ptq;

import dev.compresso.graph.GraphIndex;
import dev.compresso.graph.TensorRef;
import dev.compresso.quant.ConstTensor;
import dev.compresso.quant.FusedGroup;
import dev.compresso.quant.QuantPlan;
import dev.compresso.quant.WeightQuant;
import java.util.ArrayList;
import java.util.List;
import org.tensorflow.proto.NodeDef;

/**
 * One weighted op whose constants a PTQ method may rewrite: its kernel is a {@code Const} read by this op
 * only (through {@code Identity} nodes), and so is its bias when it has one.
 *
 * @param op the weighted node (Conv2D, DepthwiseConv2dNative, Conv2DBackpropInput, MatMul)
 * @param opType its op type
 * @param kernel the kernel constant
 * @param spec how TFLite quantizes the kernel
 * @param group the fused group ({@code weighted -> [bias] -> [relu|relu6]})
 * @param bias the bias constant: of the group's BiasAdd, or of an {@code AddV2}/{@code Add} of a per-channel
 *     constant that is the op's only consumer (Keras 3 adds a reshaped bias so; the converter fuses either into
 *     the op); null when there is none of its own
 */
public record WeightLayer(String op, String opType, String kernel, WeightQuant spec, FusedGroup group, String bias) {

  /** The layers of {@code plan} whose kernel is a constant of their own, in plan order. */
  public static List<WeightLayer> of(GraphIndex index, QuantPlan plan) {
    List<WeightLayer> out = new ArrayList<>();
    for (QuantPlan.WeightSite w : plan.weights()) {
      if (!ownConst(index, w.constNode())) {
        continue;
      }
      FusedGroup group = plan.groups().values().stream().filter(g -> g.weighted().equals(w.op())).findFirst()
          .orElse(new FusedGroup(w.op(), null, null, null));
      String bias = null;
      if (group.bias() != null) {
        NodeDef b = throughReshapes(index, index.input(index.node(group.bias()), 1));
        if (b.getOp().equals("Const") && ownConst(index, b.getName())) {
          bias = b.getName();
        }
      }
      if (bias == null && group.bias() == null) {
        bias = addedBias(index, w);
      }
      out.add(new WeightLayer(w.op(), w.opType(), w.constNode(), w.spec(), group, bias));
    }
    return out;
  }

  /**
   * The node {@code ref} reads, or the constant behind a chain of {@code Identity}, {@code Squeeze} and {@code Reshape} nodes
   * each read only once (Keras 3 reads a bias as {@code Squeeze(Reshape(bias))}; reshaping keeps the element
   * order, so the constant's values are the bias).
   */
  static NodeDef throughReshapes(GraphIndex index, TensorRef ref) {
    NodeDef at = index.node(ref.node());
    while (RESHAPES.contains(at.getOp()) && at.getInputCount() > 0 && index.uses(at.getName()).size() == 1) {
      at = index.node(index.input(at, 0).node());
    }
    return at;
  }

  private static final java.util.Set<String> RESHAPES = java.util.Set.of("Identity", "Squeeze", "Reshape");

  /** The per-channel constant an {@code AddV2}/{@code Add}, the op's only consumer, adds; else null. */
  private static String addedBias(GraphIndex index, QuantPlan.WeightSite w) {
    List<GraphIndex.Use> uses = index.uses(w.op());
    if (uses.size() != 1 || uses.get(0).ref().control()) {
      return null;
    }
    NodeDef add = uses.get(0).consumer();
    if (!(add.getOp().equals("AddV2") || add.getOp().equals("Add")) || add.getInputCount() < 2) {
      return null;
    }
    NodeDef other = index.throughIdentities(index.input(add, 1 - uses.get(0).position()));
    if (!other.getOp().equals("Const") || !ownConst(index, other.getName())) {
      return null;
    }
    ConstTensor b = ConstTensor.of(other);
    long[] k = ConstTensor.of(index.node(w.constNode())).shape();
    long channels = switch (w.opType()) {
      case "Conv2D" -> k[3];
      case "DepthwiseConv2dNative" -> k[2] * k[3];
      case "Conv2DBackpropInput" -> k[2];
      default -> k[k.length - 1];
    };
    for (int i = 0; i < b.shape().length - 1; i++) {
      if (b.shape()[i] != 1) {
        return null;
      }
    }
    return b.values().length == channels && b.shape().length >= 1 ? other.getName() : null;
  }

  /** Whether {@code name} is a Const read (through Identity nodes) by exactly one op. */
  static boolean ownConst(GraphIndex index, String name) {
    if (!index.node(name).getOp().equals("Const")) {
      return false;
    }
    String at = name;
    while (true) {
      List<GraphIndex.Use> uses = index.uses(at);
      if (uses.size() != 1) {
        return false;
      }
      NodeDef next = uses.get(0).consumer();
      if (!RESHAPES.contains(next.getOp())) {
        return true;
      }
      at = next.getName();
    }
  }
}
