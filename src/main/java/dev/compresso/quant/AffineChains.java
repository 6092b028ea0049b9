package dev.compresso.quant;

import dev.compresso.graph.GraphIndex;
import dev.compresso.graph.TensorRef;
import dev.compresso.model.ImportedModel;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.tensorflow.proto.NodeDef;

/**
 * Finds the per-channel multiply-add chains that follow a conv-like op: every step the previous node's only
 * consumer, reading the previous node and (for the arithmetic steps) one operand computed from constants and
 * variables only. One matcher for every form exporters write batch norm in: Keras 3's and TF2's decomposed
 * {@code x * (gamma * rsqrt(var + eps)) + (beta - mean * ...)}, {@code FusedBatchNorm}/{@code V2}/{@code V3}
 * in inference mode, a conv's own bias as {@code BiasAdd} of a variable or of Keras 3's {@code
 * Squeeze(Reshape(bias))}, or as {@code AddV2}; {@code Identity} and a {@code Squeeze} that keeps the channel
 * axis ({@code Conv1D}'s) pass through. Whether each operand is really per channel is only known once it is
 * evaluated ({@link BatchNormFolding}).
 */
final class AffineChains {

  /** What one step does to {@code x}. */
  enum Kind {
    /** {@code x + c} ({@code BiasAdd}, {@code Add}, {@code AddV2}, either side). */
    ADD,
    /** {@code x - c}. */
    SUB,
    /** {@code x * c} (either side). */
    MUL,
    /** {@code FusedBatchNorm*} in inference mode: {@code (x - mean) * scale / sqrt(var + eps) + offset}. */
    FUSED,
    /** {@code Identity} or a {@code Squeeze} of non-channel axes: the value passes unchanged. */
    PASS
  }

  /**
   * One step.
   *
   * @param operand the constant operand ({@link Kind#ADD}, {@link Kind#SUB}, {@link Kind#MUL}); null otherwise
   */
  record Step(NodeDef node, Kind kind, String operand) {
    boolean scales() {
      return kind == Kind.MUL || kind == Kind.FUSED;
    }
  }

  /**
   * A kernel the fold may rescale: a variable or constant read by the weighted op only (possibly through
   * {@code Identity} and {@code Conv1D}'s {@code ExpandDims}).
   *
   * @param constant whether it is a {@code Const} node (a frozen graph) rather than a variable
   */
  record Kernel(String node, boolean constant) {}

  /** A weighted op, its kernel and the steps after it (possibly none). */
  record Chain(NodeDef weighted, Kernel kernel, List<Step> steps) {}

  /** Ops whose kernel output channels a fold can scale. */
  static final Set<String> WEIGHTED = Set.of("Conv2D", "DepthwiseConv2dNative", "Conv2DBackpropInput", "MatMul");

  static final Set<String> FUSED_BN = Set.of("FusedBatchNorm", "FusedBatchNormV2", "FusedBatchNormV3");

  private AffineChains() {}

  /**
   * The chain after {@code weighted}, or null when its kernel cannot be rescaled. A model output ends the chain:
   * its value is observed, so nothing before it may change.
   */
  static Chain match(GraphIndex index, ImportedModel model, NodeDef weighted) {
    Set<String> outputs = new HashSet<>();
    model.outputs().forEach(o -> outputs.add(TensorRef.parse(o.tensor()).node()));
    if (outputs.contains(weighted.getName())) {
      return null; // its own value is an output: its kernel must stay as it is
    }
    Kernel kernel = kernel(index, model, weighted);
    if (kernel == null) {
      return null;
    }
    List<Step> steps = new ArrayList<>();
    NodeDef prev = weighted;
    while (true) {
      NodeDef next = sole(index, prev);
      Step step = next == null ? null : step(index, prev, next);
      if (step == null) {
        break;
      }
      steps.add(step);
      prev = next;
      if (outputs.contains(next.getName())) {
        break;
      }
    }
    return new Chain(weighted, kernel, steps);
  }

  private static Step step(GraphIndex index, NodeDef prev, NodeDef next) {
    String x = prev.getName();
    switch (next.getOp()) {
      case "Identity" -> {
        return new Step(next, Kind.PASS, null);
      }
      case "Squeeze" -> {
        return keepsLastAxis(next) ? new Step(next, Kind.PASS, null) : null;
      }
      case "BiasAdd" -> {
        return input0(next, x) && nhwc(next) && parametersOnly(index, next.getInput(1))
            ? new Step(next, Kind.ADD, next.getInput(1)) : null;
      }
      case "Add", "AddV2", "Mul" -> {
        String c = other(next, x);
        return c != null && parametersOnly(index, c)
            ? new Step(next, next.getOp().equals("Mul") ? Kind.MUL : Kind.ADD, c) : null;
      }
      case "Sub" -> {
        return next.getInputCount() == 2 && input0(next, x) && !refersTo(next.getInput(1), x)
            && parametersOnly(index, next.getInput(1)) ? new Step(next, Kind.SUB, next.getInput(1)) : null;
      }
      default -> {
        if (!isInferenceBatchNorm(next) || !input0(next, x) || !onlyOutputZeroUsed(index, next)) {
          return null;
        }
        for (int i = 1; i <= 4; i++) {
          if (!parametersOnly(index, next.getInput(i))) {
            return null;
          }
        }
        return new Step(next, Kind.FUSED, null);
      }
    }
  }

  /** A {@code FusedBatchNorm*} in inference mode over NHWC data. */
  static boolean isInferenceBatchNorm(NodeDef n) {
    return FUSED_BN.contains(n.getOp()) && n.getInputCount() >= 5 && !isTraining(n) && nhwc(n);
  }

  /** A {@code FusedBatchNorm*} that normalizes with the batch's own statistics. */
  static boolean isTraining(NodeDef n) {
    var t = n.getAttrMap().get("is_training");
    return FUSED_BN.contains(n.getOp()) && t != null && t.getB();
  }

  private static Kernel kernel(GraphIndex index, ImportedModel model, NodeDef weighted) {
    if (weighted.getInputCount() < 2) {
      return null;
    }
    NodeDef k = index.throughIdentities(index.input(weighted, 1));
    if (k.getOp().equals("ExpandDims") && weighted.getOp().equals("Conv2D") && consumers(index, k) == 1) {
      // Conv1D: Conv2D(ExpandDims(kernel [k, in, out], 0)); the flat layout and the last axis are unchanged.
      k = index.throughIdentities(index.input(k, 0));
    }
    if (model.variables().containsKey(k.getName())) {
      return consumers(index, k) == 1 ? new Kernel(k.getName(), false) : null;
    }
    if (k.getOp().equals("Const") && consumers(index, k) == 1) {
      return new Kernel(k.getName(), true);
    }
    return null;
  }

  /** How many non-identity ops read {@code n}, looking through {@code Identity} readers. */
  private static int consumers(GraphIndex index, NodeDef n) {
    int count = 0;
    for (GraphIndex.Use u : index.uses(n.getName())) {
      if (u.ref().control()) {
        continue;
      }
      count += u.consumer().getOp().equals("Identity") ? consumers(index, u.consumer()) : 1;
    }
    return count;
  }

  private static boolean keepsLastAxis(NodeDef squeeze) {
    var dims = squeeze.getAttrMap().get("squeeze_dims");
    if (dims == null || dims.getList().getICount() == 0) {
      return false;
    }
    // Conv1D squeezes the expanded axis (1 or -3); a squeeze of the last axis would move the channels.
    return dims.getList().getIList().stream().noneMatch(d -> d == -1 || d >= 3);
  }

  private static boolean nhwc(NodeDef n) {
    var f = n.getAttrMap().get("data_format");
    return f == null || f.getS().toStringUtf8().equals("NHWC");
  }

  private static boolean input0(NodeDef n, String node) {
    return n.getInputCount() >= 1 && refersTo(n.getInput(0), node);
  }

  private static boolean refersTo(String input, String node) {
    TensorRef r = TensorRef.parse(input);
    return !r.control() && r.node().equals(node) && r.index() == 0;
  }

  private static boolean onlyOutputZeroUsed(GraphIndex index, NodeDef n) {
    return index.uses(n.getName()).stream().allMatch(u -> u.ref().control() || u.ref().index() == 0);
  }

  /** The input of binary op {@code n} that is not {@code node} (null if neither or both are). */
  private static String other(NodeDef n, String node) {
    if (n.getInputCount() != 2) {
      return null;
    }
    boolean first = refersTo(n.getInput(0), node);
    boolean second = refersTo(n.getInput(1), node);
    if (first == second) {
      return null;
    }
    return first ? n.getInput(1) : n.getInput(0);
  }

  /** The only non-control consumer of {@code n}, or null. */
  static NodeDef sole(GraphIndex index, NodeDef n) {
    List<GraphIndex.Use> uses = index.uses(n.getName());
    return uses.size() == 1 && !uses.get(0).ref().control() ? uses.get(0).consumer() : null;
  }

  /** Whether {@code tensor} depends on constants and variables only (no placeholder, no weighted op). */
  static boolean parametersOnly(GraphIndex index, String tensor) {
    return parameterNodes(index, tensor) != null;
  }

  /** The nodes {@code tensor} is computed from when they are constants and variables only; else null. */
  static Set<NodeDef> parameterNodes(GraphIndex index, String tensor) {
    Deque<String> todo = new ArrayDeque<>(List.of(TensorRef.parse(tensor).node()));
    Set<String> seen = new HashSet<>();
    Set<NodeDef> nodes = new HashSet<>();
    while (!todo.isEmpty()) {
      NodeDef n = index.find(todo.pop());
      if (n == null) {
        return null;
      }
      if (!seen.add(n.getName())) {
        continue;
      }
      if (n.getOp().equals("Placeholder") || n.getOp().equals("PlaceholderWithDefault")
          || n.getOp().startsWith("Conv") || n.getOp().equals("MatMul") || n.getOp().startsWith("Depthwise")) {
        return null;
      }
      nodes.add(n);
      for (String in : n.getInputList()) {
        todo.push(TensorRef.parse(in).node());
      }
    }
    return nodes;
  }
}
