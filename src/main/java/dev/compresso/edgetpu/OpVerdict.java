package dev.compresso.edgetpu;

import java.util.List;
import java.util.Objects;

/**
 * The verdict on one operator.
 *
 * @param index position in the primary subgraph's operator list (execution order)
 * @param op the TFLite builtin name
 * @param version the operator version
 * @param placement TPU or CPU
 * @param findings every rule the op itself breaks (empty when it could map)
 * @param blockedBy index of the first unmappable op when this op comes after it (so stays on the CPU by
 *     the one-partition rule), -1 otherwise
 * @param macs multiply-accumulates of one run ({@link MacFormula})
 * @param parameterBytes bytes of the op's constant inputs
 */
public record OpVerdict(int index, String op, int version, Placement placement, List<Finding> findings,
    int blockedBy, long macs, long parameterBytes) {

  public OpVerdict {
    Objects.requireNonNull(op, "op");
    Objects.requireNonNull(placement, "placement");
    findings = List.copyOf(findings);
  }

  /** Whether the op could map by itself (it breaks no rule). */
  public boolean mappable() {
    return findings.isEmpty();
  }

  /** Whether the op stays on the CPU only because an earlier op could not map. */
  public boolean fallsBackOnlyBecauseOfEarlierOp() {
    return placement == Placement.CPU && findings.isEmpty() && blockedBy >= 0;
  }
}
