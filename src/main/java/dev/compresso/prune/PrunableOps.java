package dev.compresso.prune;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.proto.NodeDef;

/**
 * The one table of op types whose weights Compresso prunes: which input is the weight, and which axes
 * of that weight index the op's output channels (what channel pruning removes whole). Duplicates are
 * rejected; {@code PrunableOpsTest} runs every entry in TensorFlow to check both claims.
 *
 * <p>Layouts follow the TF op definitions: {@code Conv2D} filter {@code [kh, kw, in, out]};
 * {@code DepthwiseConv2dNative} filter {@code [kh, kw, in, multiplier]}, output channel {@code
 * c * multiplier + m}, so axes 2..3 together; {@code Conv2DBackpropInput} (transposed conv) filter
 * {@code [kh, kw, out, in]}; {@code MatMul} {@code b} is {@code [in, out]}, or {@code [out, in]} with
 * {@code transpose_b}. Biases and batch-norm parameters are never weights here.
 */
public final class PrunableOps {

  /**
   * One prunable op type.
   *
   * @param op the TF op type
   * @param weightInput the input index that holds the weight
   * @param rank the weight's rank
   */
  public record Entry(String op, int weightInput, int rank) {

    /**
     * The first and last axis (inclusive) of the weight that together index output channels, for
     * this node (MatMul depends on {@code transpose_b}).
     */
    public int[] outputAxes(NodeDef node) {
      return switch (op) {
        case "Conv2D" -> new int[] {3, 3};
        case "DepthwiseConv2dNative" -> new int[] {2, 3};
        case "Conv2DBackpropInput" -> new int[] {2, 2};
        case "MatMul" -> node.containsAttr("transpose_b") && node.getAttrOrThrow("transpose_b").getB()
            ? new int[] {0, 0} : new int[] {1, 1};
        default -> throw new IllegalStateException("no output axes for " + op);
      };
    }
  }

  private static final Map<String, Entry> BY_OP = new LinkedHashMap<>();

  static {
    register(new Entry("Conv2D", 1, 4));
    register(new Entry("DepthwiseConv2dNative", 1, 4));
    register(new Entry("Conv2DBackpropInput", 1, 4));
    register(new Entry("MatMul", 1, 2));
  }

  private PrunableOps() {}

  private static void register(Entry e) {
    if (BY_OP.putIfAbsent(e.op(), e) != null) {
      throw new IllegalStateException("prunable op registered twice: " + e.op());
    }
  }

  /** The entry for {@code op}, or null when its weights are not prunable. */
  public static Entry find(String op) {
    return BY_OP.get(op);
  }

  /** Every entry, in registration order. */
  public static List<Entry> all() {
    return List.copyOf(BY_OP.values());
  }
}
