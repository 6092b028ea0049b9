package dev.compresso.train;

import dev.compresso.BadInputException;
import dev.compresso.io.AtomicOutput;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.tensorflow.Graph;
import org.tensorflow.Session;

/**
 * Saves and restores a training session's checkpoints ({@link Checkpoint}) for {@link Trainer#fit}:
 * after every epoch, and at the next step boundary when the process is asked to end. A JVM shutdown
 * hook (run on SIGINT and SIGTERM, not on SIGKILL) asks the loop to stop and waits, up to
 * {@link #HOOK_WAIT_SECONDS}, until the checkpoint is written; after a SIGKILL the run resumes from the
 * last epoch's checkpoint, and since each epoch's order depends only on the seed and the epoch number,
 * it repeats the interrupted epoch exactly.
 *
 * <p>Create it after every training op is in the graph (it adds assign ops for every variable).
 */
public final class Checkpointer implements AutoCloseable {

  /** How long a shutdown hook waits for the loop to reach a step boundary and save. */
  public static final long HOOK_WAIT_SECONDS = 120;

  private final Checkpointing where;
  private final Session session;
  private final GraphVariables variables;
  private final Map<String, String> fingerprint;
  private final CountDownLatch released = new CountDownLatch(1);
  private volatile boolean stopRequested;
  private Thread hook;
  private Checkpoint.Position restored;
  private Map<String, float[]> restoredBest;
  private BestEpoch best;

  /** Values of the best epoch's weights are saved under this prefix beside the variables. */
  static final String BEST_PREFIX = "best-epoch/";

  /**
   * @param fingerprint what this run was started with (model, data, each option: name to a value or
   *     hash); a checkpoint whose fingerprint differs is refused, naming the parts that differ
   */
  public Checkpointer(Checkpointing where, Graph graph, Session session, Map<String, String> fingerprint) {
    this.where = where;
    this.session = session;
    this.variables = new GraphVariables(graph);
    this.fingerprint = new LinkedHashMap<>(fingerprint);
  }

  /**
   * With {@code resume}, loads the checkpoint, checks its fingerprint and sets every variable; returns
   * where the loop stood, or null when starting afresh.
   *
   * @throws BadInputException when the checkpoint is missing, damaged, or from a different run
   */
  public Checkpoint.Position restore() {
    if (!where.resume()) {
      return null;
    }
    Checkpoint c = Checkpoint.read(where.file());
    List<String> differs = new ArrayList<>();
    for (String key : new TreeSet<>(union(c.fingerprint().keySet(), fingerprint.keySet()))) {
      String then = c.fingerprint().get(key);
      String now = fingerprint.get(key);
      if (then == null || !then.equals(now)) {
        differs.add(key.startsWith("option:") ? String.format("--%s was %s, now %s", key.substring(7), then, now)
            : key + " differs");
      }
    }
    if (!differs.isEmpty()) {
      throw new BadInputException(String.format("--resume: the checkpoint %s is from a different run: %s; rerun "
          + "with the original model, data and options, or delete %s to start afresh", where.file(),
          String.join("; ", differs), where.dir()));
    }
    Map<String, GraphVariables.Value> current = new LinkedHashMap<>();
    Map<String, float[]> best = new LinkedHashMap<>();
    c.variables().forEach((name, v) -> {
      if (name.startsWith(BEST_PREFIX)) {
        best.put(name.substring(BEST_PREFIX.length()), v.values());
      } else {
        current.put(name, v);
      }
    });
    restoredBest = best.isEmpty() ? null : best;
    List<String> problems = variables.assign(session, current);
    if (!problems.isEmpty()) {
      throw new BadInputException(String.format("--resume: the checkpoint %s does not fit this training graph: %s",
          where.file(), String.join("; ", problems.subList(0, Math.min(5, problems.size())))));
    }
    restored = c.position();
    return restored;
  }

  /** Where a restored run continues, or null when it started afresh. */
  public Checkpoint.Position restored() {
    return restored;
  }

  /** The best epoch's weights saved with the restored checkpoint, or null. */
  Map<String, float[]> restoredBest() {
    return restoredBest;
  }

  /** Saves {@code best}'s snapshot with every checkpoint, so that a resumed run keeps the same epoch. */
  void track(BestEpoch best) {
    this.best = best;
  }

  /** Writes a checkpoint at {@code position} with the variables' current values, atomically. */
  public void save(Checkpoint.Position position) {
    Map<String, GraphVariables.Value> values = new LinkedHashMap<>(variables.read(session));
    Checkpoint.Position at = position;
    if (best != null && best.snapshot() != null) {
      for (Map.Entry<String, float[]> e : best.snapshot().entrySet()) {
        GraphVariables.Value now = values.get(e.getKey());
        values.put(BEST_PREFIX + e.getKey(), new GraphVariables.Value(now == null ? new long[] {e.getValue().length}
            : now.shape(), e.getValue()));
      }
      at = new Checkpoint.Position(position.epochsDone(), position.stepsIntoEpoch(), position.step(),
          position.lossSum(), position.history(), best.bestEpoch(), best.best());
    }
    Checkpoint c = new Checkpoint(fingerprint, at, values);
    AtomicOutput.writeFile(where.file(), c.toBytes());
  }

  /** Asks the loop to save and stop at the next step boundary (what SIGINT and SIGTERM do). */
  public void requestStop() {
    stopRequested = true;
  }

  boolean stopRequested() {
    return stopRequested;
  }

  public Checkpointing where() {
    return where;
  }

  /** Installs the shutdown hook for the duration of a training loop. */
  void arm() {
    if (hook != null) {
      return;
    }
    hook = new Thread(() -> {
      requestStop();
      try {
        released.await(HOOK_WAIT_SECONDS, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "compresso-checkpoint-on-exit");
    Runtime.getRuntime().addShutdownHook(hook);
  }

  /** Removes the hook and releases a waiting one (the loop ended, saved or not). */
  void disarm() {
    released.countDown();
    if (hook != null) {
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException shuttingDown) {
        // the JVM is exiting; the hook is running and has just been released
      }
      hook = null;
    }
  }

  @Override
  public void close() {
    disarm();
  }

  private static <T> List<T> union(java.util.Collection<T> a, java.util.Collection<T> b) {
    List<T> all = new ArrayList<>(a);
    all.addAll(b);
    return all;
  }
}
