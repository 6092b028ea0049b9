package dev.compresso.sweep;

import dev.compresso.BadInputException;
import dev.compresso.CompressoException;
import dev.compresso.validate.ChildJvm;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The seed article's experiment on one machine: writes the plan ({@link SweepPlan}), starts {@code
 * workers} {@link Worker} processes on the sweep folder (each claims cells until none is left, so a cell
 * that crashes stays in its process and is retried), waits for them, and reads what finished ({@link
 * SweepResults}). A rerun on the same folder skips every finished cell and every finished step of an
 * unfinished one; no more workers start than cells are left. The same folder can be worked on from other hosts at the same time ({@code sweep
 * --cell K}, {@code deploy/}).
 */
public final class Sweep {

  /** Upper bound for one worker process (a cell of many epochs on a big model takes hours). */
  static final long WORKER_TIMEOUT_SECONDS = 7 * 24 * 3600;
  /** Most worker processes one machine starts. */
  public static final int MAX_WORKERS = 256;

  private Sweep() {}

  /** TensorFlow's environment variables for the sizes of its intra-op and inter-op thread pools. */
  static final String INTRA_OP_ENV = "TF_NUM_INTRAOP_THREADS";
  static final String INTER_OP_ENV = "TF_NUM_INTEROP_THREADS";

  /**
   * The thread caps of {@code workers} worker processes on {@code cores} cores: each worker's TensorFlow pools
   * sized to its share of the cores ({@code max(1, cores / workers)} intra-op threads, 1 inter-op thread)
   * unless the user set either variable ({@code environment}), which then applies as given. TensorFlow reads
   * them for every session whose {@code ConfigProto} leaves the count at 0 (its default: as many threads as
   * cores), which the fine-tuning sessions do; without a cap N workers would each start pools as large as the
   * machine. One worker keeps TensorFlow's defaults.
   */
  static Map<String, String> threadCaps(int workers, int cores, Map<String, String> environment) {
    if (workers <= 1 || environment.containsKey(INTRA_OP_ENV) || environment.containsKey(INTER_OP_ENV)) {
      return Map.of();
    }
    return Map.of(INTRA_OP_ENV, Integer.toString(Math.max(1, cores / workers)), INTER_OP_ENV, "1");
  }

  /** Plans, runs every missing cell in {@code workers} processes and returns the results. */
  public static SweepResults run(SweepConfig config, int workers, PrintStream progress) {
    return run(config, workers, null, progress);
  }

  /**
   * As {@link #run(SweepConfig, int, PrintStream)}, starting no cell after {@code deadline} (null: none): each
   * worker finishes the cell it is running and stops, so the results may be incomplete (the cells not
   * started are said on {@code progress}).
   */
  public static SweepResults run(SweepConfig config, int workers, java.time.Instant deadline,
      PrintStream progress) {
    if (workers < 1 || workers > MAX_WORKERS) {
      throw new BadInputException("--workers must be between 1 and " + MAX_WORKERS + ", got " + workers);
    }
    CellLocks.leaseMillis(System.getenv());  // a bad lease setting fails here, once, not in every worker
    SweepData.check(config);
    SweepPlan plan = SweepPlan.of(config);
    plan.write();
    SweepResults before = SweepResults.read(config.out());
    int n = Math.min(workers, plan.cells().size() - before.done());
    progress.printf("sweep: %d cells (baseline + %d sparsities x %d conversions), %d already done, %d worker "
        + "process(es), in %s%n", plan.cells().size(), config.sparsities().size(), config.variants().size(),
        before.done(), n, config.out());
    if (before.complete()) {
      return before;
    }
    List<Thread> threads = new ArrayList<>();
    List<String> crashes = new ArrayList<>();
    Map<String, String> env = threadCaps(n, Runtime.getRuntime().availableProcessors(), System.getenv());
    List<String> workerArgs = new ArrayList<>(List.of(config.out().toString(), "--all"));
    if (deadline != null) {
      workerArgs.addAll(List.of("--deadline", Long.toString(deadline.toEpochMilli())));
    }
    for (int w = 1; w <= n; w++) {
      String name = "w" + w;
      String prefix = n == 1 ? "" : "[" + name + "] ";
      Thread t = new Thread(() -> {
        ChildJvm.Outcome o;
        try {
          List<String> args = new ArrayList<>(workerArgs);
          args.addAll(List.of("--name", name));
          o = ChildJvm.run("sweep worker " + name, List.of(), env, Worker.class.getName(), args,
              WORKER_TIMEOUT_SECONDS, line -> {
                if (line.startsWith("sweep") || line.startsWith("epoch ") || line.startsWith("test ")) {
                  progress.println(prefix + line);
                }
              });
        } catch (CompressoException e) {
          synchronized (crashes) {
            crashes.add("worker " + name + ": " + e.getMessage());
          }
          return;
        }
        if (o.exit() != 0 && o.exit() != CompressoException.EXIT_BAD_INPUT
            && o.exit() != CompressoException.EXIT_INTERNAL) {
          synchronized (crashes) {
            crashes.add("worker " + name + " exit status " + o.exit() + ChildJvm.signal(o.exit()) + ": "
                + ChildJvm.lastLines(o.stderr(), 3));
          }
        }
      }, "compresso-sweep-" + name);
      t.start();
      threads.add(t);
    }
    for (Thread t : threads) {
      try {
        t.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw CompressoException.internal("interrupted while waiting for the sweep workers", e);
      }
    }
    SweepResults results = SweepResults.read(config.out());
    if (deadline != null && !results.complete() && results.failed().isEmpty() && crashes.isEmpty()
        && java.time.Instant.now().isAfter(deadline)) {
      progress.printf("sweep: the deadline passed: %d of %d cells done, the others not started%n", results.done(),
          plan.cells().size());
      return results;
    }
    if (!results.complete() && results.failed().isEmpty() && !crashes.isEmpty()) {
      throw CompressoException.internal("sweep workers died before finishing: " + String.join("; ", crashes), null);
    }
    return results;
  }
}
