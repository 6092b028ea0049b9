package dev.compresso.train;

import java.util.Map;
import java.util.function.IntPredicate;
import org.tensorflow.Session;

/**
 * Keeps the weights of the epoch whose held-out metric was best (Keras' {@code ModelCheckpoint(
 * save_best_only=True)} / {@code EarlyStopping(restore_best_weights=True)} idea): after every epoch {@link
 * Trainer} offers the validation metric; a better one among the eligible epochs (for pruning, those that
 * reached the target sparsity) snapshots every variable of the session; {@link #restore} puts the best
 * snapshot back. Epoch 0 is the model before fine-tuning (eligible where the stage says so: the clustered or
 * fake-quantized start is a valid result, the unpruned model is not).
 *
 * <p>The snapshot is saved with every checkpoint ({@link Checkpointer}), so a resumed run keeps the epoch an
 * uninterrupted one would.
 */
public final class BestEpoch {

  private final VariableStore store;
  private final Session session;
  private final boolean higherIsBetter;
  private final IntPredicate eligible;
  private Map<String, float[]> snapshot;
  private int bestEpoch = -1;
  private double best = Double.NaN;
  private int lastEpoch = -1;

  /**
   * @param eligible which epochs may be kept (0: before fine-tuning)
   */
  public BestEpoch(VariableStore store, Session session, boolean higherIsBetter, IntPredicate eligible) {
    this.store = store;
    this.session = session;
    this.higherIsBetter = higherIsBetter;
    this.eligible = eligible;
  }

  /** Called after epoch {@code epoch} with its held-out metric. */
  public void offer(int epoch, double metric) {
    lastEpoch = Math.max(lastEpoch, epoch);
    if (!eligible.test(epoch) || Double.isNaN(metric)) {
      return;
    }
    if (bestEpoch < 0 || (higherIsBetter ? metric > best : metric < best)) {
      best = metric;
      bestEpoch = epoch;
      snapshot = store.read(session);
    }
  }

  /**
   * Puts the best epoch's weights back when it is not the last one.
   *
   * @return the epoch whose weights the session now holds (the last one when no epoch was eligible)
   */
  public int restore() {
    if (snapshot != null && bestEpoch != lastEpoch) {
      store.assign(session, snapshot);
      return bestEpoch;
    }
    return lastEpoch;
  }

  /** Continues from a checkpoint: the best epoch so far, its metric and weights, and the last epoch run. */
  void resume(int epoch, double metric, Map<String, float[]> weights, int epochsDone) {
    lastEpoch = epochsDone;
    if (epoch >= 0 && weights != null) {
      bestEpoch = epoch;
      best = metric;
      snapshot = weights;
    }
  }

  /** The best epoch's weights, or null. */
  Map<String, float[]> snapshot() {
    return snapshot;
  }

  /** The best eligible epoch so far, or -1. */
  public int bestEpoch() {
    return bestEpoch;
  }

  /** Its metric, or NaN. */
  public double best() {
    return best;
  }
}
