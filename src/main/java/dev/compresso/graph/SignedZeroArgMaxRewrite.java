package dev.compresso.graph;

import dev.compresso.BadInputException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.NodeDef;

/**
 * Drops the signed-zero tie-break that Keras 3's TensorFlow backend puts before every {@code keras.ops.argmax} and
 * {@code argmin} of a float tensor ({@code keras/src/backend/tensorflow/numpy.py}): {@code SelectV2(Equal(x, 0) &
 * Less(BitwiseAnd(Bitcast<int32>(x), sign bit), 0), -tiny, x)}, which makes -0.0 lose to +0.0. No int8 TFLite
 * kernel exists for {@code Bitcast}, {@code BitwiseAnd} or {@code LogicalAnd} (and int8 has no -0.0 to tell
 * apart), so a {@code model.export()} of a segmentation net or a classifier that returns its class could never be
 * fully integer. The {@code SelectV2} becomes an {@code Identity} of {@code x} and the test's nodes go: the class
 * differs from Keras' only where a sample's largest value is a zero held both as -0.0 and as +0.0. Only the exact
 * pattern is matched, with the select read by {@code ArgMax}/{@code ArgMin} alone.
 */
public final class SignedZeroArgMaxRewrite {

  private SignedZeroArgMaxRewrite() {}

  /** The rewrites for {@code graph}: for each match, the select replaced (same name) and the test removed. */
  public static List<Rewrite> rewrites(GraphIndex graph) {
    List<Rewrite> out = new ArrayList<>();
    Set<String> removed = new LinkedHashSet<>();
    for (NodeDef select : graph.nodes()) {
      List<NodeDef> test = test(graph, select);
      if (test == null) {
        continue;
      }
      out.add(new Rewrite.ReplaceNode(Nodes.identity(select.getName(), select.getInput(2), DataType.DT_FLOAT)));
      for (NodeDef n : test) {
        if (removed.add(n.getName())) {
          out.add(new Rewrite.RemoveNode(n.getName()));
        }
      }
    }
    return out;
  }

  /**
   * The tensor {@code x} that {@code node} guards, when {@code node} is the signed-zero select of an argmax/argmin
   * (the float scores a fine-tuning trains); else null.
   */
  public static String guardedInput(GraphIndex graph, NodeDef node) {
    try {
      return test(graph, node) == null ? null : node.getInput(2);
    } catch (BadInputException e) {
      return null; // a damaged graph (a missing input): no guard recognized
    }
  }

  /** The test's nodes when {@code select} is a signed-zero select read only by ArgMax/ArgMin, else null. */
  private static List<NodeDef> test(GraphIndex graph, NodeDef select) {
    if (!(select.getOp().equals("SelectV2") || select.getOp().equals("Select")) || select.getInputCount() != 3
        || !select.containsAttr("T") || select.getAttrOrThrow("T").getType() != DataType.DT_FLOAT) {
      return null;
    }
    List<GraphIndex.Use> uses = graph.uses(select.getName());
    if (uses.isEmpty() || !uses.stream().allMatch(u -> !u.ref().control() && u.position() == 0
        && (u.consumer().getOp().equals("ArgMax") || u.consumer().getOp().equals("ArgMin")))) {
      return null;
    }
    NodeDef x = graph.throughIdentities(graph.input(select, 2));
    NodeDef tiny = graph.throughIdentities(graph.input(select, 1));
    NodeDef and = graph.throughIdentities(graph.input(select, 0));
    if (!tiny.getOp().equals("Const") || !and.getOp().equals("LogicalAnd") || and.getInputCount() != 2) {
      return null;
    }
    return signedZeroTest(graph, and, x);
  }

  /**
   * The nodes of {@code and} = {@code Equal(x, 0) & Less(BitwiseAnd(Bitcast(x), c), 0)} (operands in either
   * order), each read only inside the test; null when {@code and} is anything else.
   */
  private static List<NodeDef> signedZeroTest(GraphIndex graph, NodeDef and, NodeDef x) {
    NodeDef a = graph.throughIdentities(graph.input(and, 0));
    NodeDef b = graph.throughIdentities(graph.input(and, 1));
    NodeDef equal = a.getOp().equals("Equal") ? a : b;
    NodeDef less = equal == a ? b : a;
    if (!equal.getOp().equals("Equal") || !less.getOp().equals("Less") || !isZeroTestOf(graph, equal, x)) {
      return null;
    }
    NodeDef bits = operandWith(graph, less, "BitwiseAnd");
    NodeDef cast = bits == null ? null : operandWith(graph, bits, "Bitcast");
    if (cast == null || cast.getInputCount() != 1 || !graph.throughIdentities(graph.input(cast, 0)).getName()
        .equals(x.getName())) {
      return null;
    }
    List<NodeDef> test = List.of(and, equal, less, bits, cast);
    for (NodeDef n : test) {
      if (graph.uses(n.getName()).size() != 1) {
        return null;
      }
    }
    return test;
  }

  private static boolean isZeroTestOf(GraphIndex graph, NodeDef equal, NodeDef x) {
    for (int k = 0; k < 2 && equal.getInputCount() == 2; k++) {
      if (graph.throughIdentities(graph.input(equal, k)).getName().equals(x.getName())
          && Nodes.isScalar(graph.throughIdentities(graph.input(equal, 1 - k)), 0f)) {
        return true;
      }
    }
    return false;
  }

  /** The operand of two-input {@code n} whose op is {@code op}, when the other operand is a constant. */
  private static NodeDef operandWith(GraphIndex graph, NodeDef n, String op) {
    if (n.getInputCount() != 2) {
      return null;
    }
    for (int k = 0; k < 2; k++) {
      NodeDef m = graph.throughIdentities(graph.input(n, k));
      if (m.getOp().equals(op) && graph.throughIdentities(graph.input(n, 1 - k)).getOp().equals("Const")) {
        return m;
      }
    }
    return null;
  }
}
