package dev.compresso.prune;

/**
 * When to recompute the masks and to which sparsity, as a function of the training step. Mirrors
 * tfmot's {@code PruningSchedule} ({@code tensorflow_model_optimization/python/core/sparsity/keras/
 * pruning_schedule.py}): a schedule answers {@code (should_prune, sparsity)} for a step.
 */
public interface PruningSchedule {

  /** Whether masks are recomputed before step {@code step} (0-based). */
  boolean shouldPrune(long step);

  /** The target sparsity at {@code step}, in [0, 1). */
  double sparsity(long step);

  /** The sparsity the schedule ends at. */
  double finalSparsity();

  /** A short description for reports, e.g. {@code polynomial 0.00->0.80 steps 0..70 every 10, power 3}. */
  String describe();

  /**
   * tfmot's {@code _should_prune_in_step}: {@code begin <= step} and ({@code step <= end} or {@code end < 0})
   * and {@code (step - begin) % frequency == 0}.
   */
  static boolean inPruningStep(long step, long beginStep, long endStep, long frequency) {
    boolean inRange = step >= beginStep && (step <= endStep || endStep < 0);
    return inRange && Math.floorMod(step - beginStep, frequency) == 0;
  }

  /** Checks a sparsity is in [0, 1), naming the option. */
  static void checkSparsity(String what, double s) {
    if (!(s >= 0 && s < 1)) {
      throw new dev.compresso.BadInputException(what + " must be in [0, 1), got " + s);
    }
  }
}
