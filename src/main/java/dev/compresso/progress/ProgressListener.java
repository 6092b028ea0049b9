package dev.compresso.progress;

/**
 * Receives what a long stage is doing. Every method has an empty default, so a listener implements only
 * what it wants. Events arrive on the thread that runs the stage, in order: for each fine-tuning epoch one
 * {@link #epochStarted}, one {@link #step} per optimizer step, {@link #stepsEnded}, one {@link
 * #epochEnded}; {@link #note}s in
 * between. A listener should return quickly (it runs between training steps) and must not throw.
 */
public interface ProgressListener {

  /** A listener that ignores everything. */
  ProgressListener NONE = new ProgressListener() {};

  /** {@code listener}, or {@link #NONE} for null. */
  static ProgressListener orNone(ProgressListener listener) {
    return listener == null ? NONE : listener;
  }

  /**
   * Epoch {@code epoch} (1-based) of {@code epochs} begins; it has {@code steps} optimizer steps, of which the
   * first {@code resumed} were already taken before the run was interrupted and resumed (0 otherwise).
   */
  default void epochStarted(int epoch, int epochs, long steps, long resumed) {}

  /**
   * One optimizer step of the current epoch is done.
   *
   * @param done steps of this epoch done so far, resumed ones included
   * @param meanLoss the training loss averaged over this epoch's steps so far
   * @param samplesPerSecond training samples per second over this epoch so far
   * @param note what the stage adds (e.g. {@code sparsity 0.42}); empty when nothing
   */
  default void step(long done, double meanLoss, double samplesPerSecond, String note) {}

  /**
   * The current epoch's steps are over: all of them, or fewer when the run stops (an interruption, an error).
   * Validation, if any, follows, then {@link #epochEnded}.
   */
  default void stepsEnded() {}

  /** An epoch ended, with what it measured. */
  default void epochEnded(EpochEnd end) {}

  /** One line of information about the stage (what it is doing, what it wrote). */
  default void note(String message) {}

  /**
   * What one fine-tuning epoch measured.
   *
   * @param epoch 1-based
   * @param epochs epochs in the run
   * @param loss the loss's name (e.g. {@code focal-tversky})
   * @param trainLoss mean training loss over the epoch's steps
   * @param validationLoss loss on the validation data after the epoch; NaN without validation data
   * @param seconds wall time of the epoch's steps
   * @param steps optimizer steps in the epoch
   * @param samplesPerSecond training samples per second (steps times batch size over the seconds)
   * @param metric the task's headline metric's name (null when the stage does not judge epochs)
   * @param validationMetric its value on the validation data after the epoch; NaN when not measured
   */
  record EpochEnd(int epoch, int epochs, String loss, double trainLoss, double validationLoss, double seconds,
      long steps, double samplesPerSecond, String metric, double validationMetric) {

    public EpochEnd(int epoch, int epochs, String loss, double trainLoss, double validationLoss, double seconds,
        long steps, double samplesPerSecond) {
      this(epoch, epochs, loss, trainLoss, validationLoss, seconds, steps, samplesPerSecond, null, Double.NaN);
    }
  }
}
