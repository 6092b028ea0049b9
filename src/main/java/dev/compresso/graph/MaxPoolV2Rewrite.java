package dev.compresso.graph;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.tensorflow.proto.AttrValue;
import org.tensorflow.proto.NodeDef;

/**
 * Turns {@code MaxPoolV2} (window and strides as tensor inputs; what TF Java's {@code tf.nn.maxPool} writes)
 * into {@code MaxPool} (the same as attributes; what TF Python writes) when both inputs are constants.
 *
 * <p>The TFLite converter legalizes only {@code MaxPool} ({@code tf.MaxPoolV2} "is neither a custom op nor
 * a flex op"). Both ops share the semantics of TensorFlow's {@code nn_ops.cc} max pooling; V2 differs only
 * in where {@code ksize} and {@code strides} come from. A {@code MaxPoolV2} whose window is computed is
 * left alone, and the converter names it in its rejection.
 */
public final class MaxPoolV2Rewrite {

  static final String OP = "MaxPoolV2";

  private MaxPoolV2Rewrite() {}

  /** One {@link Rewrite.ReplaceNode} per {@code MaxPoolV2} of {@code graph} that {@link #apply} changes. */
  public static List<Rewrite> rewrites(GraphIndex graph) {
    List<Rewrite> out = new ArrayList<>();
    for (NodeDef n : graph.nodes()) {
      NodeDef pool = apply(n, graph::find);
      if (pool != n) {
        out.add(new Rewrite.ReplaceNode(pool));
      }
    }
    return out;
  }

  /**
   * {@code n} as a {@code MaxPool} when it is a {@code MaxPoolV2} with constant window and strides (the
   * two constant inputs dropped); {@code n} unchanged otherwise.
   *
   * @param byName the graph's nodes by name (null when missing), to find the constants
   */
  static NodeDef apply(NodeDef n, Function<String, NodeDef> byName) {
    if (!n.getOp().equals(OP) || n.getInputCount() < 3) {
      return n;
    }
    long[] ksize = IntConstants.of(byName.apply(TensorRef.parse(n.getInput(1)).node()));
    long[] strides = IntConstants.of(byName.apply(TensorRef.parse(n.getInput(2)).node()));
    if (ksize == null || strides == null || ksize.length != 4 || strides.length != 4) {
      return n;
    }
    NodeDef.Builder b = n.toBuilder().setOp("MaxPool").clearInput().addInput(n.getInput(0))
        .putAttr("ksize", ints(ksize)).putAttr("strides", ints(strides));
    // Control inputs stay.
    for (int i = 3; i < n.getInputCount(); i++) {
      b.addInput(n.getInput(i));
    }
    return b.build();
  }

  private static AttrValue ints(long[] values) {
    AttrValue.ListValue.Builder list = AttrValue.ListValue.newBuilder();
    for (long v : values) {
      list.addI(v);
    }
    return AttrValue.newBuilder().setList(list).build();
  }
}
