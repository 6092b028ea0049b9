package dev.compresso.quant;

import dev.compresso.graph.GraphIndex;
import dev.compresso.graph.IntConstants;
import dev.compresso.graph.Nodes;
import dev.compresso.graph.Rewrite;
import java.util.ArrayList;
import java.util.List;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.NodeDef;

/**
 * Folds the constant arithmetic that Keras graphs put between a constant and the op that reads it, so that
 * full-integer planning ({@link QuantPlanner}) sees what TFLite's converter would: a {@code Conv1D} kernel is
 * {@code ExpandDims(Const, 0)} in front of a {@code Conv2D} (folded to one constant of the expanded shape, a
 * kernel the planner can quantize per channel), a reshaped constant likewise, a split constant (a grouped
 * convolution's kernel) into one constant per part, and a division by a constant
 * ({@code hard_swish}'s {@code / 6}; TFLite has no int8 DIV kernel) becomes a multiplication by its
 * reciprocal, which the converter quantizes as MUL; a negation ({@code Neg}, which the converter keeps float)
 * becomes a multiplication by -1. The float function is unchanged (the reciprocal up to one float rounding).
 */
public final class ConstantOperands {

  private ConstantOperands() {}

  /** The rewrites for {@code graph}; empty when it has nothing to fold. */
  static List<Rewrite> rewrites(GraphIndex graph) {
    return rewrites(graph, true);
  }

  /**
   * Only the divisions by a constant, for a training graph (QAT): its kernels are variables, so there is no
   * constant kernel to fold, but the division must be a multiplication before the planner sees it and in the
   * graph QAT exports.
   */
  public static org.tensorflow.proto.GraphDef withoutDivisions(org.tensorflow.proto.GraphDef graph) {
    List<Rewrite> r = rewrites(new GraphIndex(graph), false);
    return r.isEmpty() ? graph : dev.compresso.graph.GraphRewriter.apply(graph, r);
  }

  private static List<Rewrite> rewrites(GraphIndex graph, boolean constants) {
    List<Rewrite> out = new ArrayList<>();
    for (NodeDef n : graph.nodes()) {
      switch (n.getOp()) {
        case "ExpandDims", "Reshape" -> {
          if (!constants) {
            continue;
          }
          if (n.getInputCount() < 2) {
            continue;
          }
          NodeDef data = graph.throughIdentities(graph.input(n, 0));
          long[] dims = IntConstants.of(graph.throughIdentities(graph.input(n, 1)));
          if (!isFloatConst(data) || dims == null) {
            continue;
          }
          ConstTensor c = ConstTensor.of(data);
          long[] shape = n.getOp().equals("ExpandDims") ? expanded(c.shape(), dims) : reshaped(c.values().length, dims);
          if (shape != null) {
            out.add(new Rewrite.ReplaceNode(Nodes.constant(n.getName(), c.values(), shape)));
          }
        }
        case "Split" -> {
          if (!constants || n.getInputCount() < 2) {
            continue;
          }
          splitConstant(graph, n, out);
        }
        case "RealDiv", "Div" -> {
          if (n.getInputCount() < 2) {
            continue;
          }
          NodeDef divisor = graph.throughIdentities(graph.input(n, 1));
          if (!isFloatConst(divisor)) {
            continue;
          }
          ConstTensor c = ConstTensor.of(divisor);
          float[] reciprocal = new float[c.values().length];
          boolean finite = true;
          for (int i = 0; i < reciprocal.length; i++) {
            reciprocal[i] = 1f / c.values()[i];
            finite &= Float.isFinite(reciprocal[i]);
          }
          if (!finite) {
            continue;
          }
          String name = n.getName() + "/reciprocal";
          out.add(new Rewrite.AddNode(Nodes.constant(name, reciprocal, c.shape())));
          out.add(new Rewrite.ReplaceNode(Nodes.mul(n.getName(), n.getInput(0), name)));
        }
        case "Neg" -> {
          // TFLite's converter keeps NEG float between a DEQUANTIZE and a QUANTIZE (layer norm's negated mean in
          // Keras 3's graphs); a multiplication by -1 is an int8 MUL.
          if (n.getInputCount() < 1 || !n.containsAttr("T") || n.getAttrOrThrow("T").getType() != DataType.DT_FLOAT) {
            continue;
          }
          String name = n.getName() + "/minus_one";
          out.add(new Rewrite.AddNode(Nodes.constant(name, new float[] {-1f}, new long[0])));
          out.add(new Rewrite.ReplaceNode(Nodes.mul(n.getName(), n.getInput(0), name)));
        }
        default -> { }
      }
    }
    return out;
  }

  /**
   * {@code Split(axis, Const)} (a grouped convolution's kernel, split per group): one constant per part, and
   * every reader of part {@code i} reads it instead.
   */
  private static void splitConstant(GraphIndex graph, NodeDef n, List<Rewrite> out) {
    long[] axis = IntConstants.of(graph.throughIdentities(graph.input(n, 0)));
    NodeDef data = graph.throughIdentities(graph.input(n, 1));
    if (axis == null || axis.length != 1 || !isFloatConst(data) || !n.containsAttr("num_split")) {
      return;
    }
    ConstTensor c = ConstTensor.of(data);
    int rank = c.shape().length;
    int a = (int) (axis[0] < 0 ? rank + axis[0] : axis[0]);
    int parts = (int) n.getAttrOrThrow("num_split").getI();
    if (a < 0 || a >= rank || parts < 1 || c.shape()[a] % parts != 0) {
      return;
    }
    long outer = 1;
    for (int d = 0; d < a; d++) {
      outer *= c.shape()[d];
    }
    long inner = 1;
    for (int d = a + 1; d < rank; d++) {
      inner *= c.shape()[d];
    }
    long width = c.shape()[a] / parts;
    long[] shape = c.shape().clone();
    shape[a] = width;
    for (int p = 0; p < parts; p++) {
      float[] part = new float[(int) (outer * width * inner)];
      int k = 0;
      for (long o = 0; o < outer; o++) {
        for (long w = 0; w < width; w++) {
          long src = (o * c.shape()[a] + p * width + w) * inner;
          for (long i = 0; i < inner; i++) {
            part[k++] = c.values()[(int) (src + i)];
          }
        }
      }
      String name = n.getName() + "/part_" + p;
      out.add(new Rewrite.AddNode(Nodes.constant(name, part, shape)));
      for (GraphIndex.Use u : graph.uses(n.getName())) {
        if (!u.ref().control() && u.ref().index() == p) {
          out.add(new Rewrite.SetInput(u.consumer().getName(), u.position(), name));
        }
      }
    }
  }

  private static boolean isFloatConst(NodeDef n) {
    return n.getOp().equals("Const") && n.containsAttr("value")
        && n.getAttrOrThrow("value").getTensor().getDtype() == DataType.DT_FLOAT;
  }

  /** {@code shape} with a 1 inserted at {@code axis} (negative counts from the end, as ExpandDims does). */
  private static long[] expanded(long[] shape, long[] axis) {
    if (axis.length != 1) {
      return null;
    }
    int rank = shape.length + 1;
    int a = (int) (axis[0] < 0 ? rank + axis[0] : axis[0]);
    if (a < 0 || a >= rank) {
      return null;
    }
    long[] out = new long[rank];
    for (int i = 0, j = 0; i < rank; i++) {
      out[i] = i == a ? 1 : shape[j++];
    }
    return out;
  }

  /** {@code dims} with its one {@code -1} resolved, or null when it does not hold {@code elements}. */
  private static long[] reshaped(long elements, long[] dims) {
    long known = 1;
    int free = -1;
    long[] out = dims.clone();
    for (int i = 0; i < out.length; i++) {
      if (out[i] == -1 && free < 0) {
        free = i;
      } else if (out[i] < 0) {
        return null;
      } else {
        known *= out[i];
      }
    }
    if (free >= 0) {
      if (known == 0 || elements % known != 0) {
        return null;
      }
      out[free] = elements / known;
    } else if (known != elements) {
      return null;
    }
    return out;
  }
}
