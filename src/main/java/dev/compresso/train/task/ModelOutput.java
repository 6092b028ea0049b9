package dev.compresso.train.task;

import dev.compresso.BadInputException;
import dev.compresso.graph.GraphIndex;
import dev.compresso.graph.SignedZeroArgMaxRewrite;
import dev.compresso.graph.TensorRef;
import java.util.Map;
import java.util.Set;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.NodeDef;

/**
 * The trained output of a graph, found by walking back from the signature's output through ops that only
 * move values ({@code Identity}, {@code Reshape}, {@code Squeeze}, ...) to the op that computes them.
 *
 * <p>An output computed by {@code ArgMax} (maybe through a {@code Cast}) is an integer head: fine-tuning
 * trains the float tensor that feeds the {@code ArgMax} against integer labels, and the {@code ArgMax} stays
 * in what is exported. Any other integer or non-float output cannot be trained and is refused naming the node.
 *
 * @param kind what the trained tensor holds
 * @param producer the node that computes the trained tensor (for messages), with its op
 * @param producerOp the producer's op type
 * @param trainTensor the float tensor fine-tuning trains ({@code node:index})
 * @param integerHead the {@code ArgMax} node of an integer head, or null
 */
public record ModelOutput(OutputKind kind, String producer, String producerOp, String trainTensor, String integerHead) {

  /** Ops that pass values through unchanged (or only reshaped), walked over. */
  static final Set<String> PASS_THROUGH = Set.of("Identity", "IdentityN", "Reshape", "Squeeze", "ExpandDims",
      "StopGradient", "Snapshot", "EnsureShape", "PreventGradient");

  /** The op that computes each kind; the table {@link #kindOf} reads. */
  static final Map<String, OutputKind> BY_OP = Map.ofEntries(
      Map.entry("Softmax", OutputKind.SOFTMAX),
      Map.entry("Sigmoid", OutputKind.SIGMOID),
      Map.entry("LogSoftmax", OutputKind.LOGITS),
      Map.entry("MatMul", OutputKind.LOGITS),
      Map.entry("BatchMatMulV2", OutputKind.LOGITS),
      Map.entry("BiasAdd", OutputKind.LOGITS),
      Map.entry("Conv2D", OutputKind.LOGITS),
      Map.entry("Conv3D", OutputKind.LOGITS),
      Map.entry("Conv2DBackpropInput", OutputKind.LOGITS),
      Map.entry("DepthwiseConv2dNative", OutputKind.LOGITS));

  /** Whether the output is an integer head. */
  public boolean hasIntegerHead() {
    return integerHead != null;
  }

  /**
   * Reads the output {@code outputTensor} of {@code graph}.
   *
   * @throws BadInputException naming the node when the output is not float and is no {@code ArgMax} head
   */
  public static ModelOutput of(GraphDef graph, String outputTensor, String source) {
    GraphIndex index = GraphIndex.tolerant(graph);
    TensorRef ref = TensorRef.parse(outputTensor);
    NodeDef n = walk(index, ref);
    if (n == null) {
      return new ModelOutput(OutputKind.VALUES, ref.node(), "?", outputTensor, null);
    }
    String tensor = outputTensor;
    String head = null;
    if (n.getOp().equals("Cast") && n.getInputCount() > 0) {
      NodeDef from = walk(index, index.input(n, 0));
      if (from != null && (from.getOp().equals("ArgMax") || from.getOp().equals("ArgMin"))) {
        n = from;
      }
    }
    if (n.getOp().equals("ArgMax")) {
      head = n.getName();
      TensorRef in = index.input(n, 0);
      tensor = in.tensorName();
      n = walk(index, in);
      String guarded = n == null ? null : SignedZeroArgMaxRewrite.guardedInput(index, n);
      if (guarded != null) {
        // Keras 3's argmax: the scores behind its -0.0 tie-break are what a fine-tuning trains.
        in = TensorRef.parse(guarded);
        tensor = in.tensorName();
        n = walk(index, in);
      }
      if (n == null) {
        return new ModelOutput(OutputKind.VALUES, in.node(), "?", tensor, head);
      }
    } else if (!isFloat(n)) {
      throw new BadInputException(String.format("%s: output %s is computed by %s (%s), which is not float32 and not "
          + "an ArgMax over class scores; fine-tuning cannot train it: choose a float output with --output KEY, or "
          + "export the model with its float scores as the output", source, outputTensor, n.getName(), n.getOp()));
    }
    return new ModelOutput(kindOf(index, n), n.getName(), n.getOp(), tensor, head);
  }

  private static OutputKind kindOf(GraphIndex index, NodeDef n) {
    OutputKind k = BY_OP.get(n.getOp());
    if (k != null) {
      return k;
    }
    // A bias written as an Add after a linear op (Keras 3's Dense on some backends): still logits.
    if ((n.getOp().equals("AddV2") || n.getOp().equals("Add")) && n.getInputCount() == 2) {
      for (int i = 0; i < 2; i++) {
        NodeDef in = walk(index, index.input(n, i));
        if (in != null && BY_OP.get(in.getOp()) == OutputKind.LOGITS) {
          return OutputKind.LOGITS;
        }
      }
    }
    return OutputKind.VALUES;
  }

  private static NodeDef walk(GraphIndex index, TensorRef ref) {
    NodeDef n = index.find(ref.node());
    int guard = 0;
    while (n != null && PASS_THROUGH.contains(n.getOp()) && n.getInputCount() > 0 && guard++ < 64) {
      int position = n.getOp().equals("IdentityN") ? Math.min(ref.index(), n.getInputCount() - 1) : 0;
      ref = index.input(n, position);
      n = index.find(ref.node());
    }
    return n;
  }

  private static boolean isFloat(NodeDef n) {
    for (String attr : new String[] {"T", "dtype", "DstT", "out_type", "output_type"}) {
      if (n.getAttrMap().containsKey(attr)) {
        DataType t = n.getAttrOrThrow(attr).getType();
        return t == DataType.DT_FLOAT || t == DataType.DT_INVALID;
      }
    }
    return true;
  }
}
