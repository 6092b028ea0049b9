package dev.compresso.tflite;

import java.util.Arrays;
import java.util.List;

/**
 * One subgraph of a model: its tensors, operators in execution order, and input/output tensor indices.
 *
 * @param index the subgraph's index (0 is the primary subgraph the interpreter runs)
 * @param name the subgraph name (may be empty)
 */
public record SubgraphInfo(int index, String name, List<TensorInfo> tensors, List<OperatorInfo> operators,
    int[] inputs, int[] outputs) {

  public SubgraphInfo {
    tensors = List.copyOf(tensors);
    operators = List.copyOf(operators);
    inputs = inputs.clone();
    outputs = outputs.clone();
  }

  @Override
  public int[] inputs() {
    return inputs.clone();
  }

  @Override
  public int[] outputs() {
    return outputs.clone();
  }

  /** The tensor at {@code index} of this subgraph. */
  public TensorInfo tensor(int index) {
    return tensors.get(index);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SubgraphInfo s && index == s.index && name.equals(s.name) && tensors.equals(s.tensors)
        && operators.equals(s.operators) && Arrays.equals(inputs, s.inputs) && Arrays.equals(outputs, s.outputs);
  }

  @Override
  public int hashCode() {
    return 31 * index + tensors.hashCode();
  }
}
