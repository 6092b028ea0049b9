package dev.compresso.quant;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The one table of how each TF op type is quantized for full-integer TFLite (STYLE.md: one handler per op
 * type, one registry, duplicates rejected). An op type with a float output that is not in the table has
 * no known int8 TFLite form: calibration refuses it, naming the node and op.
 *
 * <p>Weight axes follow the TF kernel layouts: {@code Conv2D} filter {@code [h, w, in, out]} (axis 3),
 * {@code DepthwiseConv2dNative} filter {@code [h, w, in, multiplier]} (output channel {@code in *
 * multiplier + m}: axes 2 and 3), {@code Conv2DBackpropInput} filter {@code [h, w, out, in]} (axis 2);
 * {@code MatMul} kernels are per tensor (TFLite stores FULLY_CONNECTED weights transposed and the
 * converter rejects a per-channel range on the TF layout: "mismatched quantized axes").
 */
public final class QuantOpTable {

  private static final QuantOpTable DEFAULT = new QuantOpTable(List.of(
      OpRule.of("Placeholder", OpRole.INPUT),
      // A uint8 image cast to float: the cast's output is where the model's float input begins.
      OpRule.of("Cast", OpRole.OWN_RANGE),
      OpRule.weighted("Conv2D", 0, WeightQuant.perChannel(1, 3)),
      OpRule.weighted("DepthwiseConv2dNative", 0, new WeightQuant(1, 2, 3)),
      OpRule.weighted("Conv2DBackpropInput", 2, WeightQuant.perChannel(1, 2)),
      OpRule.weighted("MatMul", 0, WeightQuant.perTensor(1)),
      OpRule.of("BiasAdd", OpRole.BIAS),
      OpRule.of("Relu", OpRole.ACTIVATION),
      OpRule.of("Relu6", OpRole.ACTIVATION),
      OpRule.of("AddV2", OpRole.OWN_RANGE),
      OpRule.of("Add", OpRole.OWN_RANGE),
      OpRule.of("Sub", OpRole.OWN_RANGE),
      OpRule.of("Mul", OpRole.OWN_RANGE),
      OpRule.of("ConcatV2", OpRole.OWN_RANGE),
      OpRule.of("Mean", OpRole.OWN_RANGE),
      // Layer normalization as exporters write it (moments, rsqrt; its Neg is a Mul by -1 by then,
      // ConstantOperands): TFLite has int8 SQUARED_DIFFERENCE and RSQRT, each with its own output scale.
      OpRule.of("SquaredDifference", OpRole.OWN_RANGE),
      OpRule.of("Rsqrt", OpRole.OWN_RANGE),
      OpRule.of("LeakyRelu", OpRole.OWN_RANGE),
      OpRule.of("Pad", OpRole.SAME_SCALE),
      OpRule.of("PadV2", OpRole.SAME_SCALE),
      OpRule.of("MirrorPad", OpRole.SAME_SCALE),
      // TFLite int8 MAXIMUM, REDUCE_MAX, SPLIT and TRANSPOSE compare or copy raw values: one scale in and out.
      OpRule.of("Maximum", OpRole.SAME_SCALE),
      OpRule.of("Minimum", OpRole.SAME_SCALE),
      OpRule.of("Max", OpRole.SAME_SCALE),
      OpRule.of("Split", OpRole.SAME_SCALE),
      OpRule.of("Transpose", OpRole.SAME_SCALE),
      // TILE copies raw values too (Keras 3's UpSampling2D Repeat is a resize by then: graph.NearestUpsamplingRewrite).
      OpRule.of("Tile", OpRole.SAME_SCALE),
      // GATHER picks raw values by integer indices (int8 params, int32/int64 indices: TFLite's gather.cc).
      OpRule.of("GatherV2", OpRole.SAME_SCALE),
      OpRule.of("MaxPool", OpRole.SAME_SCALE),
      OpRule.of("AvgPool", OpRole.SAME_SCALE),
      OpRule.of("ResizeBilinear", OpRole.SAME_SCALE),
      OpRule.of("ResizeNearestNeighbor", OpRole.SAME_SCALE),
      OpRule.of("Reshape", OpRole.SAME_SCALE),
      OpRule.of("Squeeze", OpRole.SAME_SCALE),
      OpRule.of("ExpandDims", OpRole.SAME_SCALE),
      OpRule.of("Sigmoid", OpRole.FIXED_RANGE),
      OpRule.of("Softmax", OpRole.FIXED_RANGE),
      OpRule.of("Tanh", OpRole.FIXED_RANGE),
      OpRule.of("ArgMax", OpRole.INTEGER_RESULT),
      OpRule.of("ArgMin", OpRole.INTEGER_RESULT),
      OpRule.of("Const", OpRole.NOT_QUANTIZED),
      OpRule.of("Identity", OpRole.NOT_QUANTIZED),
      // An identity at inference (layer norm's moments in TF2 graphs); the converter removes it.
      OpRule.of("StopGradient", OpRole.NOT_QUANTIZED),
      OpRule.of("Shape", OpRole.NOT_QUANTIZED),
      OpRule.of("StridedSlice", OpRole.NOT_QUANTIZED),
      OpRule.of("Slice", OpRole.NOT_QUANTIZED),
      OpRule.of("Pack", OpRole.NOT_QUANTIZED),
      OpRule.of("NoOp", OpRole.NOT_QUANTIZED)));

  private final Map<String, OpRule> rules;

  /**
   * A table of {@code rules}.
   *
   * @throws IllegalArgumentException when an op type appears twice
   */
  public QuantOpTable(List<OpRule> rules) {
    Map<String, OpRule> m = new LinkedHashMap<>();
    for (OpRule r : rules) {
      if (m.put(r.opType(), r) != null) {
        throw new IllegalArgumentException("op type " + r.opType() + " has two quantization rules");
      }
    }
    this.rules = Collections.unmodifiableMap(m);
  }

  /** The table calibration uses. */
  public static QuantOpTable defaults() {
    return DEFAULT;
  }

  /** The rule for {@code opType}, if the table has one. */
  public Optional<OpRule> rule(String opType) {
    return Optional.ofNullable(rules.get(opType));
  }

  /** The op types covered. */
  public Set<String> opTypes() {
    return rules.keySet();
  }

  /** The op types with {@code role}. */
  public List<String> opTypes(OpRole role) {
    return rules.values().stream().filter(r -> r.role() == role).map(OpRule::opType).toList();
  }
}
