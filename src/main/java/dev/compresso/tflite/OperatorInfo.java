package dev.compresso.tflite;

import java.util.Arrays;

/**
 * One operator of a subgraph, resolved against the model's operator codes.
 *
 * @param index position in the subgraph's operator list (execution order)
 * @param op the builtin operator name from the schema's {@code BuiltinOperator} (e.g. {@code CONV_2D}),
 *     the custom code for {@code CUSTOM} operators, or {@code BUILTIN_<n>} for codes newer than the schema
 *     classes (StableHLO ops above 161)
 * @param builtinCode {@code max(builtin_code, deprecated_builtin_code)}, TFLite's rule in
 *     {@code schema_utils.cc GetBuiltinCode}
 * @param version the operator version
 * @param inputs tensor indices; -1 marks an omitted optional input
 * @param outputs tensor indices
 */
public record OperatorInfo(int index, String op, int builtinCode, int version, int[] inputs, int[] outputs) {

  public OperatorInfo {
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

  @Override
  public boolean equals(Object o) {
    return o instanceof OperatorInfo p && index == p.index && op.equals(p.op) && builtinCode == p.builtinCode
        && version == p.version && Arrays.equals(inputs, p.inputs) && Arrays.equals(outputs, p.outputs);
  }

  @Override
  public int hashCode() {
    return 31 * index + op.hashCode();
  }

  @Override
  public String toString() {
    return "#" + index + " " + op + " v" + version + " " + Arrays.toString(inputs) + " -> " + Arrays.toString(outputs);
  }
}
