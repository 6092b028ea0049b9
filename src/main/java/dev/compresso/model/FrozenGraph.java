package dev.compresso.model;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.NodeDef;

/**
 * An inference graph with every variable replaced by a {@code Const} of its value, pruned to what one
 * signature's outputs need, plus that signature's inputs and outputs. This is what the TFLite converter
 * is fed (DESIGN.md, "Converter bridge": a frozen graph, variables replaced by constants).
 *
 * @param graphDef the frozen graph
 * @param signature the signature key it was cut for (e.g. {@code serving_default})
 * @param inputs the signature's inputs, in signature order
 * @param outputs the signature's outputs, in signature order
 */
public record FrozenGraph(GraphDef graphDef, String signature, List<Input> inputs, List<Output> outputs) {

  /** TF op types that carry quantization ranges the converter turns into full-integer tensors. */
  public static final Set<String> FAKE_QUANT_OPS = Set.of(
      "FakeQuantWithMinMaxVars", "FakeQuantWithMinMaxVarsPerChannel", "FakeQuantWithMinMaxArgs");

  public FrozenGraph {
    Objects.requireNonNull(graphDef, "graphDef");
    Objects.requireNonNull(signature, "signature");
    inputs = List.copyOf(inputs);
    outputs = List.copyOf(outputs);
    if (inputs.isEmpty() || outputs.isEmpty()) {
      throw new IllegalArgumentException("a frozen graph needs at least one input and one output");
    }
  }

  /** Whether any node is a FakeQuant op ({@link #FAKE_QUANT_OPS}): the source of int8 ranges. */
  public boolean hasFakeQuant() {
    for (NodeDef n : graphDef.getNodeList()) {
      if (FAKE_QUANT_OPS.contains(n.getOp())) {
        return true;
      }
    }
    return false;
  }

  /** The distinct op types in the graph, sorted. */
  public Set<String> opTypes() {
    Set<String> ops = new TreeSet<>();
    for (NodeDef n : graphDef.getNodeList()) {
      ops.add(n.getOp());
    }
    return ops;
  }

  /**
   * One signature input.
   *
   * @param key the signature key (e.g. {@code x})
   * @param node the graph node fed (a {@code Placeholder})
   * @param dtype its element type
   * @param shape its shape, {@code -1} for an unknown dimension (the batch is fixed by the {@link Freezer})
   */
  public record Input(String key, String node, DataType dtype, long[] shape) {
    public Input {
      Objects.requireNonNull(key, "key");
      Objects.requireNonNull(node, "node");
      Objects.requireNonNull(dtype, "dtype");
      shape = shape.clone();
    }

    @Override
    public long[] shape() {
      return shape.clone();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Input i && key.equals(i.key) && node.equals(i.node) && dtype == i.dtype
          && Arrays.equals(shape, i.shape);
    }

    @Override
    public int hashCode() {
      return Objects.hash(key, node, dtype, Arrays.hashCode(shape));
    }

    @Override
    public String toString() {
      return key + "=" + node + " " + dtype + Arrays.toString(shape);
    }
  }

  /**
   * One signature output.
   *
   * @param key the signature key (e.g. {@code y})
   * @param tensor the graph tensor, {@code node:index}
   */
  public record Output(String key, String tensor) {
    public Output {
      Objects.requireNonNull(key, "key");
      Objects.requireNonNull(tensor, "tensor");
    }

    /** The producing node's name. */
    public String node() {
      int colon = tensor.lastIndexOf(':');
      return colon < 0 ? tensor : tensor.substring(0, colon);
    }

    /** The output index on the producing node. */
    public int index() {
      int colon = tensor.lastIndexOf(':');
      return colon < 0 ? 0 : Integer.parseInt(tensor.substring(colon + 1));
    }
  }
}
