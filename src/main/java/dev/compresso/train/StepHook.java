package dev.compresso.train;

/**
 * Called by {@link Trainer#fit} around every optimizer step, for work that follows the step count:
 * pruning mask updates on a schedule, range tracking, checkpoints.
 */
public interface StepHook {

  /** A hook that does nothing. */
  StepHook NONE = step -> {};

  /**
   * Runs before the optimizer step numbered {@code step} (0-based: the number of steps already taken),
   * so a schedule that starts at step 0 acts before the first update, as tfmot's pruning callback does
   * in {@code on_train_batch_begin}.
   */
  void beforeStep(long step);

  /** Extra text for the progress bar (e.g. the current sparsity); empty by default. */
  default String progressNote() {
    return "";
  }
}
