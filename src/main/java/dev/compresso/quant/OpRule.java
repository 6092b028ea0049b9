package dev.compresso.quant;

import java.util.Objects;

/**
 * One row of {@link QuantOpTable}: how one TF op type is quantized.
 *
 * @param opType the TF op type (e.g. {@code Conv2D})
 * @param role what happens to its output
 * @param dataInput the position of its main activation input (e.g. 2 for {@code Conv2DBackpropInput},
 *     whose input 0 is the output shape)
 * @param weight its kernel for {@link OpRole#WEIGHTED} ops, null otherwise
 */
public record OpRule(String opType, OpRole role, int dataInput, WeightQuant weight) {

  public OpRule {
    Objects.requireNonNull(opType, "opType");
    Objects.requireNonNull(role, "role");
    if ((role == OpRole.WEIGHTED) != (weight != null)) {
      throw new IllegalArgumentException(opType + ": a weight spec is needed exactly for WEIGHTED ops");
    }
  }

  static OpRule of(String opType, OpRole role) {
    return new OpRule(opType, role, 0, null);
  }

  static OpRule weighted(String opType, int dataInput, WeightQuant weight) {
    return new OpRule(opType, OpRole.WEIGHTED, dataInput, weight);
  }
}
