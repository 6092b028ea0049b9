package dev.compresso.quant;

import java.util.Objects;

/**
 * A weighted op and what the TFLite converter fuses into it: {@code weighted -> [bias] -> [relu|relu6]}.
 * Its one quantized output is {@link #end()}.
 *
 * @param weighted the conv / depthwise / transposed conv / MatMul node
 * @param bias the BiasAdd node fused after it, or null
 * @param activation the Relu / Relu6 node fused after that, or null
 * @param activationOp the activation's op type, or null
 */
public record FusedGroup(String weighted, String bias, String activation, String activationOp) {

  public FusedGroup {
    Objects.requireNonNull(weighted, "weighted");
  }

  /** The node whose output TFLite quantizes for this group. */
  public String end() {
    return activation != null ? activation : bias != null ? bias : weighted;
  }

  /**
   * Whether scaling the weighted op's output channel by {@code s > 0} scales {@link #end()}'s channel by
   * exactly {@code s}: true without an activation or with ReLU (positively homogeneous), false with
   * ReLU6 (its cap at 6 does not scale).
   */
  public boolean positivelyHomogeneous() {
    return activation == null || "Relu".equals(activationOp);
  }
}
