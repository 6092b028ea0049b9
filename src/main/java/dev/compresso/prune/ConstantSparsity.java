package dev.compresso.prune;

import dev.compresso.BadInputException;

/**
 * tfmot's {@code ConstantSparsity}: the target is {@code sparsity} at every pruning step; masks are
 * recomputed every {@code frequency} steps from {@code beginStep} until {@code endStep} ({@code -1}:
 * forever).
 *
 * @param sparsity the target, in [0, 1)
 * @param beginStep first step that prunes (tfmot default 0)
 * @param endStep last step that may prune, or -1 for no end (tfmot default -1)
 * @param frequency steps between mask updates (tfmot default 100)
 */
public record ConstantSparsity(double sparsity, long beginStep, long endStep, long frequency)
    implements PruningSchedule {

  public static final long FREQUENCY_DEFAULT = 100;

  public ConstantSparsity {
    PruningSchedule.checkSparsity("--sparsity", sparsity);
    Steps.check(beginStep, endStep, frequency, true);
  }

  @Override
  public boolean shouldPrune(long step) {
    return PruningSchedule.inPruningStep(step, beginStep, endStep, frequency);
  }

  @Override
  public double sparsity(long step) {
    return sparsity;
  }

  @Override
  public double finalSparsity() {
    return sparsity;
  }

  @Override
  public String describe() {
    return String.format("constant %.2f from step %d%s every %d", sparsity, beginStep,
        endStep < 0 ? "" : " to " + endStep, frequency);
  }

  /** Step-range checks shared by the schedules. */
  static final class Steps {
    private Steps() {}

    static void check(long begin, long end, long frequency, boolean endMayBeOpen) {
      if (begin < 0) {
        throw new BadInputException("--begin-step must be >= 0, got " + begin);
      }
      if (frequency <= 0) {
        throw new BadInputException("--frequency must be > 0, got " + frequency);
      }
      if (!(endMayBeOpen && end == -1) && end < begin) {
        throw new BadInputException(String.format("--end-step %d is before --begin-step %d", end, begin));
      }
    }
  }
}
