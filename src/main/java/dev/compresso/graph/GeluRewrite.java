package dev.compresso.graph;

import java.util.ArrayList;
import java.util.List;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.NodeDef;

/**
 * Writes TensorFlow's exact gelu, {@code (x * 0.5) * erfc(-x * (1 / sqrt 2))} (what {@code tf.nn.gelu} and
 * Keras 3's {@code model.export()} of a {@code gelu} activation put in the graph), in the erf form {@code (x *
 * 0.5) * (erf(x * (1 / sqrt 2)) + 1)}: the same function ({@code erfc(-z) = 1 + erf(z)}), and the form the
 * TFLite converter fuses into one {@code GELU} op from a frozen graph. Left as it is, the converter rejects the
 * {@code Erfc} ("neither a custom op nor a flex op"). Only the exact pattern is matched: the {@code Neg}, the
 * scalar constants 1/sqrt 2 and 0.5 (either operand order), the same {@code x} on both sides, and an {@code
 * Erfc} read only by the final product.
 */
public final class GeluRewrite {

  private static final float INV_SQRT2 = (float) (1 / Math.sqrt(2.0));

  private GeluRewrite() {}

  /** The rewrites for {@code graph}: for each match, the {@code Erfc} node replaced (same name) by the erf form. */
  public static List<Rewrite> rewrites(GraphIndex graph) {
    List<Rewrite> out = new ArrayList<>();
    for (NodeDef erfc : graph.nodes()) {
      if (!erfc.getOp().equals("Erfc") || erfc.getInputCount() != 1 || !isFloat(erfc)) {
        continue;
      }
      NodeDef scaled = graph.throughIdentities(graph.input(erfc, 0));
      NodeDef neg = scaledBy(graph, scaled, INV_SQRT2);
      if (neg == null || !neg.getOp().equals("Neg") || neg.getInputCount() != 1) {
        continue;
      }
      NodeDef x = graph.throughIdentities(graph.input(neg, 0));
      List<GraphIndex.Use> uses = graph.uses(erfc.getName());
      if (uses.size() != 1 || uses.get(0).ref().control() || !uses.get(0).consumer().getOp().equals("Mul")) {
        continue;
      }
      NodeDef product = uses.get(0).consumer();
      NodeDef half = graph.throughIdentities(graph.input(product, 1 - uses.get(0).position()));
      NodeDef halfOf = scaledBy(graph, half, 0.5f);
      if (halfOf == null || !halfOf.getName().equals(x.getName())) {
        continue;
      }
      String base = erfc.getName() + "/as_erf";
      out.add(new Rewrite.AddNode(Nodes.constant(base + "/inv_sqrt2", new float[] {INV_SQRT2}, new long[0])));
      out.add(new Rewrite.AddNode(Nodes.floatOp(base + "/mul", "Mul", neg.getInput(0), base + "/inv_sqrt2")));
      out.add(new Rewrite.AddNode(Nodes.floatOp(base + "/Erf", "Erf", base + "/mul")));
      out.add(new Rewrite.AddNode(Nodes.constant(base + "/one", new float[] {1f}, new long[0])));
      out.add(new Rewrite.ReplaceNode(Nodes.floatOp(erfc.getName(), "AddV2", base + "/Erf", base + "/one")));
    }
    return out;
  }

  /** The other operand of {@code mul} when it is a Mul by the scalar constant {@code c}, else null. */
  private static NodeDef scaledBy(GraphIndex graph, NodeDef mul, float c) {
    if (!mul.getOp().equals("Mul") || mul.getInputCount() != 2) {
      return null;
    }
    for (int k = 0; k < 2; k++) {
      if (Nodes.isScalar(graph.throughIdentities(graph.input(mul, k)), c)) {
        return graph.throughIdentities(graph.input(mul, 1 - k));
      }
    }
    return null;
  }

  private static boolean isFloat(NodeDef n) {
    return !n.containsAttr("T") || n.getAttrOrThrow("T").getType() == DataType.DT_FLOAT;
  }
}
