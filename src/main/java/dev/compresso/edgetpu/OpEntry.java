package dev.compresso.edgetpu;

import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * One row of Coral's supported-operations table, in TFLite terms.
 *
 * @param op the TFLite builtin operator name ({@code BuiltinOperator}), e.g. {@code CONV_2D}
 * @param coralName the name in Coral's table, e.g. {@code Conv2d}
 * @param evidence whether the op's presence in the table is sourced or assumed
 * @param source where the row comes from, or what was assumed
 * @param maxVersion the highest op version the Edge TPU compiler (v16) is known to accept; 0 when no
 *     limit is known
 * @param versionSource the evidence for {@code maxVersion} (empty when 0)
 * @param parameterInputs input positions that are model parameters (weights, bias, shape/axis/padding
 *     arguments): they must be constants
 * @param int32Inputs input positions that may be INT32 (biases and integer arguments); every other
 *     tensor must be INT8 or UINT8
 * @param macs how to count the op's multiply-accumulates
 * @param limits the op's own known limitations, one rule each
 */
public record OpEntry(String op, String coralName, Evidence evidence, String source, int maxVersion,
    String versionSource, Set<Integer> parameterInputs, Set<Integer> int32Inputs, MacFormula macs,
    List<Rule> limits) {

  public OpEntry {
    Objects.requireNonNull(op, "op");
    Objects.requireNonNull(coralName, "coralName");
    Objects.requireNonNull(evidence, "evidence");
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(versionSource, "versionSource");
    Objects.requireNonNull(macs, "macs");
    parameterInputs = Set.copyOf(parameterInputs);
    int32Inputs = Set.copyOf(int32Inputs);
    limits = List.copyOf(limits);
    if (maxVersion < 0) {
      throw new IllegalArgumentException(op + ": maxVersion " + maxVersion);
    }
    if (maxVersion > 0 && versionSource.isEmpty()) {
      throw new IllegalArgumentException(op + ": a version limit needs its source");
    }
  }
}
