package dev.compresso.prune.shrink;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.proto.NodeDef;

/**
 * The one table of op types a producer's output channels may flow through when they are removed, and
 * what each does with them (TF op definitions, NHWC): {@link Kind#PRODUCER}s create channels along a
 * weight axis and are where channels are born ({@code Conv2D} filter {@code [kh,kw,in,out]},
 * {@code Conv2DBackpropInput} filter {@code [kh,kw,out,in]}, {@code MatMul} {@code b [in,out]}); the
 * same ops read channels along their weight's input axis ({@link Entry#inputAxis}). {@link Kind#PASS}
 * ops keep channel {@code c} as channel {@code c} (element-wise activations, pooling, Identity),
 * {@link Kind#BIAS} adds one bias element per channel, {@link Kind#CONCAT} shifts the channels of its
 * {@code i}-th input by the channel counts of the inputs before it, and {@link Kind#SHAPE} is allowed
 * only where just the batch entry of the shape is used. Every other op (Add, Mul, Reshape, Sigmoid, ...)
 * stops the propagation: its producer is left whole. Duplicates are rejected.
 */
final class ShrinkOps {

  enum Kind { PRODUCER, PASS, BIAS, CONCAT, SHAPE }

  /**
   * One op type.
   *
   * @param op the TF op
   * @param kind its role
   * @param dataInput the input that carries channels (consumers and pass-through ops)
   */
  record Entry(String op, Kind kind, int dataInput) {

    /** The weight axis that indexes the op's output channels (producers). */
    int outputAxis(NodeDef node) {
      return switch (op) {
        case "Conv2D" -> 3;
        case "Conv2DBackpropInput" -> 2;
        case "MatMul" -> transposeB(node) ? 0 : 1;
        default -> throw new IllegalStateException("not a producer: " + op);
      };
    }

    /** The weight axis that indexes the op's input channels (producers, as consumers). */
    int inputAxis(NodeDef node) {
      return switch (op) {
        case "Conv2D" -> 2;
        case "Conv2DBackpropInput" -> 3;
        case "MatMul" -> transposeB(node) ? 1 : 0;
        default -> throw new IllegalStateException("not a producer: " + op);
      };
    }

    /** The value of a constant channel after this pass-through op. */
    float apply(float v) {
      return switch (op) {
        case "Relu" -> Math.max(0f, v);
        case "Relu6" -> Math.min(6f, Math.max(0f, v));
        default -> v;
      };
    }

    private static boolean transposeB(NodeDef node) {
      return node.containsAttr("transpose_b") && node.getAttrOrThrow("transpose_b").getB();
    }
  }

  private static final Map<String, Entry> BY_OP = new LinkedHashMap<>();

  static {
    register(new Entry("Conv2D", Kind.PRODUCER, 0));
    register(new Entry("Conv2DBackpropInput", Kind.PRODUCER, 2));
    register(new Entry("MatMul", Kind.PRODUCER, 0));
    register(new Entry("BiasAdd", Kind.BIAS, 0));
    register(new Entry("Relu", Kind.PASS, 0));
    register(new Entry("Relu6", Kind.PASS, 0));
    register(new Entry("Identity", Kind.PASS, 0));
    register(new Entry("MaxPool", Kind.PASS, 0));
    register(new Entry("AvgPool", Kind.PASS, 0));
    register(new Entry("ConcatV2", Kind.CONCAT, -1));
    register(new Entry("Shape", Kind.SHAPE, 0));
  }

  private ShrinkOps() {}

  private static void register(Entry e) {
    if (BY_OP.putIfAbsent(e.op(), e) != null) {
      throw new IllegalStateException("shrink op registered twice: " + e.op());
    }
  }

  /** The entry for {@code op}, or null when channels cannot flow through it. */
  static Entry find(String op) {
    return BY_OP.get(op);
  }

  static List<Entry> all() {
    return List.copyOf(BY_OP.values());
  }
}
