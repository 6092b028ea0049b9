package dev.compresso.diagnose;

import dev.compresso.model.FrozenGraph;
import dev.compresso.quant.FusedGroup;
import dev.compresso.quant.QuantPlan;
import dev.compresso.quant.QuantPlanner;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.tensorflow.proto.NodeDef;

/**
 * Finds the reference graph node whose output 0 is a TFLite tensor's float counterpart, by name. The
 * converter names a tensor after the TF nodes fused into it ({@code a;b;c}, e.g. {@code
 * enc_relu;enc_conv}) and appends a digit to make names unique ({@code enc_relu;enc_conv1} for a second
 * tensor of the same nodes, such as a concat input requantized to the concat's scale). Compresso's own
 * FakeQuant names ({@code X/act_quant}, {@code X/float} for a moved output) point back to {@code X}. A
 * part naming a member of a fused group (conv, bias add, ReLU, as {@link QuantPlanner} fuses them)
 * stands for the group's end, whose output the fused TFLite kernel computes.
 *
 * <p>When no name matches (a .tflite converted from another form of the model: a Keras 3 export's {@code
 * .../model_1/conv_1/Relu} against a {@code .keras} file's {@code conv/Relu}), tensors are matched by layer:
 * the trailing components of the name (layer path and op) with call wrappers and Keras' {@code _N} call
 * suffixes dropped, the fewest (at least two) that exactly one reference node ends with.
 */
final class TensorMatch {

  private static final String[] SUFFIXES = {"/act_quant", "/float", "/weight_quant"};

  private final Map<String, NodeDef> nodes = new HashMap<>();
  private final Map<String, String> groupEnd = new HashMap<>();
  /** Node names by every '/'-suffix of them (TF2 function inlining prefixes names), when unambiguous. */
  private final Map<String, String> bySuffix = new HashMap<>();
  /**
   * Without the planner's groups: a conv or matmul's fused end by the graph's shape ({@link
   * #structuralGroups}), used only when a tensor's best name match is that conv or matmul itself.
   */
  private final Map<String, String> structuralEnd = new HashMap<>();
  /** Node names by every layer key ({@link #layerKeys}) of them, when unambiguous. */
  private final Map<String, String> byLayer = new HashMap<>();

  TensorMatch(FrozenGraph reference) {
    Map<String, Integer> suffixCount = new HashMap<>();
    for (NodeDef n : reference.graphDef().getNodeList()) {
      nodes.put(n.getName(), n);
      String name = n.getName();
      for (int i = name.indexOf('/'); i >= 0; i = name.indexOf('/', i + 1)) {
        String suffix = name.substring(i + 1);
        suffixCount.merge(suffix, 1, Integer::sum);
        bySuffix.put(suffix, name);
      }
    }
    Map<String, Integer> layerCount = new HashMap<>();
    for (NodeDef n : reference.graphDef().getNodeList()) {
      for (String key : layerKeys(n.getName())) {
        layerCount.merge(key, 1, Integer::sum);
        byLayer.put(key, n.getName());
      }
    }
    layerCount.forEach((key, count) -> {
      if (count > 1) {
        byLayer.remove(key);
      }
    });
    suffixCount.forEach((suffix, count) -> {
      if (count > 1 || nodes.containsKey(suffix)) {
        bySuffix.remove(suffix);
      }
    });
    QuantPlan plan;
    try {
      plan = QuantPlanner.defaults().plan(reference);
    } catch (RuntimeException e) {
      // A graph the planner does not cover (QAT FakeQuant nodes, ops without an int8 form elsewhere in
      // the model): the fused groups found from the graph's shape alone.
      structuralGroups(reference);
      return;
    }
    for (FusedGroup g : plan.groups().values()) {
      for (String member : new String[] {g.weighted(), g.bias(), g.activation()}) {
        if (member != null) {
          groupEnd.put(member, g.end());
        }
      }
    }
  }

  private static final java.util.Set<String> WEIGHTED = java.util.Set.of("Conv2D", "DepthwiseConv2dNative", "MatMul",
      "Conv2DBackpropInput");
  private static final java.util.Set<String> BIAS = java.util.Set.of("BiasAdd", "AddV2", "Add");
  private static final java.util.Set<String> FUSED_ACTIVATIONS = java.util.Set.of("Relu", "Relu6");

  /**
   * TFLite's fused kernels without the planner: a conv or matmul, the bias add that is its only consumer,
   * and the ReLU/ReLU6 that is the bias add's only consumer are one tensor, the last one's (a
   * FULLY_CONNECTED tensor named {@code out/MatMul;out/BiasAdd} holds {@code out/BiasAdd}'s values, not the
   * MatMul's). Only a tensor whose first matching name part is the conv or matmul is moved to the end: a
   * tensor named after a later node of the chain (a ReLU after a batch norm) keeps that node.
   */
  private void structuralGroups(FrozenGraph reference) {
    Map<String, java.util.List<NodeDef>> consumers = new HashMap<>();
    for (NodeDef n : reference.graphDef().getNodeList()) {
      for (String in : n.getInputList()) {
        if (!in.startsWith("^")) {
          consumers.computeIfAbsent(in.replaceFirst(":0$", ""), k -> new java.util.ArrayList<>()).add(n);
        }
      }
    }
    for (NodeDef n : reference.graphDef().getNodeList()) {
      if (!WEIGHTED.contains(n.getOp())) {
        continue;
      }
      NodeDef end = n;
      java.util.List<NodeDef> next = consumers.getOrDefault(end.getName(), java.util.List.of());
      if (next.size() == 1 && BIAS.contains(next.get(0).getOp()) && addsAConstant(next.get(0), n.getName())) {
        end = next.get(0);
        next = consumers.getOrDefault(end.getName(), java.util.List.of());
        if (next.size() == 1 && FUSED_ACTIVATIONS.contains(next.get(0).getOp())) {
          end = next.get(0);
        }
      }
      if (end != n) {
        structuralEnd.put(n.getName(), end.getName());
      }
    }
  }

  /** Whether {@code add}'s operand besides {@code from} is a constant (read through Identity): a bias. */
  private boolean addsAConstant(NodeDef add, String from) {
    for (String in : add.getInputList()) {
      String name = in.replaceFirst(":0$", "");
      if (name.equals(from) || in.startsWith("^")) {
        continue;
      }
      NodeDef operand = nodes.get(name);
      while (operand != null && operand.getOp().equals("Identity") && operand.getInputCount() > 0) {
        operand = nodes.get(operand.getInput(0).replaceFirst(":0$", ""));
      }
      if (operand == null || !operand.getOp().equals("Const")) {
        return false;
      }
    }
    return true;
  }

  /** Ops with several outputs whose TFLite tensors are named {@code name}, {@code name1}, {@code name2}, ... */
  private static final java.util.Set<String> MULTI_OUTPUT_OPS = java.util.Set.of("Split", "SplitV", "Unpack");

  /**
   * The reference tensor for a TFLite tensor name, if any part of it names one: a node name (its output 0),
   * or {@code node:k} for output k of a multi-output op ({@code c_grp/split2} is {@code c_grp/split:2}).
   */
  Optional<String> node(String tensorName) {
    for (String part : tensorName.split(";")) {
      String base = candidates(part)[0];
      java.util.regex.Matcher m = java.util.regex.Pattern.compile("(.*?)(\\d+)$").matcher(base);
      if (m.matches()) {
        String n = nodes.containsKey(m.group(1)) ? m.group(1) : bySuffix.get(m.group(1));
        if (n != null && !nodes.containsKey(base) && MULTI_OUTPUT_OPS.contains(nodes.get(n).getOp())) {
          return Optional.of(n + ":" + m.group(2));
        }
      }
    }
    String direct = null;
    for (String part : tensorName.split(";")) {
      for (String raw : candidates(part)) {
        String candidate = nodes.containsKey(raw) ? raw : bySuffix.getOrDefault(raw, raw);
        // A fused group's end stands for a member only when no earlier name part matched a node: a tensor named
        // after a later node of the chain (a ReLU after a batch norm folded into the conv) keeps that node.
        if (direct == null && groupEnd.containsKey(candidate)) {
          return Optional.of(groupEnd.get(candidate));
        }
        if (direct == null && nodes.containsKey(candidate)) {
          direct = candidate;
        }
      }
    }
    if (direct != null && structuralEnd.containsKey(direct)) {
      return Optional.of(structuralEnd.get(direct));
    }
    if (direct == null) {
      for (String part : tensorName.split(";")) {
        for (String raw : candidates(part)) {
          for (String key : layerKeys(raw)) {
            if (byLayer.containsKey(key)) {
              String node = byLayer.get(key);
              return Optional.of(groupEnd.getOrDefault(node, node));
            }
          }
        }
      }
    }
    return Optional.ofNullable(direct);
  }

  /**
   * The layer keys of a node name, shortest first: its trailing components after the call wrappers, two or
   * more, each without Keras' {@code _N} call suffix (a Keras 3 export names layer {@code conv} {@code
   * conv_1}); none for a name of one component.
   */
  static java.util.List<String> layerKeys(String name) {
    String[] p = LayerNames.path(name);
    java.util.List<String> keys = new java.util.ArrayList<>();
    String key = p[p.length - 1];
    for (int k = p.length - 2; k >= 0; k--) {
      key = p[k].replaceFirst("_\\d+$", "") + "/" + key;
      keys.add(key);
    }
    return keys;
  }

  private static String[] candidates(String part) {
    String base = part;
    for (String s : SUFFIXES) {
      if (base.endsWith(s)) {
        base = base.substring(0, base.length() - s.length());
      }
    }
    String undigited = base.replaceFirst("\\d+$", "");
    return new String[] {base, undigited};
  }
}
