package dev.compresso.sweep;

import dev.compresso.BadInputException;
import dev.compresso.CompressoException;
import dev.compresso.nativelogs.NativeLogs;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * A sweep worker: claims cells of the sweep folder under {@link CellLocks}' rule and runs them with
 * {@link CellRunner}, on whatever host it was started (the folder on a shared filesystem). {@link
 * #runCell} runs one cell (a Slurm array task, a Kubernetes Indexed Job pod), waiting while another live
 * worker holds it; {@link #runAll} claims cells in plan order until every cell is done or given up, waiting
 * on cells held by others so that it takes over any whose worker dies. A cell that fails is recorded in
 * its attempt's lock folder and the worker moves on.
 *
 * <p>A deadline ({@code --deadline}, what {@code compress --time-budget} gives its rounds) bounds {@link
 * #runAll}: once it has passed the worker claims no further cell and returns, without waiting on cells
 * others hold; a cell already running finishes (a cell is the unit of work, and its steps resume anyway).
 *
 * <p>As a process ({@code sweep --workers N} starts these): {@code java -cp CLASSPATH
 * dev.compresso.sweep.Worker DIR (--cell K | --all) [--name NAME] [--deadline EPOCH_MILLIS]}. Exit 0 when the cells it was given
 * are done, 2 when one failed on bad input, 1 for any other failure.
 */
public final class Worker {

  /** How often a waiting worker looks at the locks again. */
  static final long POLL_MILLIS = 1000;

  /**
   * How long a worker whose cell failed waits for this process's shutdown to begin before it records the
   * failure. A terminated task (scancel, a pod's SIGTERM) ends its children first or at once (the converter's
   * shutdown hook closes its worker), so the cell can fail a moment before the shutdown hooks run; that is
   * the task ending, not a failed attempt, and must neither use up an attempt nor claim the next one.
   */
  static final long SHUTDOWN_GRACE_MILLIS = 1500;

  /** Counted down by a shutdown hook: this process is being terminated. */
  private static final CountDownLatch TERMINATING = new CountDownLatch(1);

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(TERMINATING::countDown, "compresso-sweep-terminating"));
  }

  /**
   * What a worker did.
   *
   * @param ran cells this worker ran to completion
   * @param failed cells that failed for good (given up), by anyone
   * @param badInput whether one of them failed on bad input
   * @param notStarted cells left unstarted because the deadline had passed (0 without one)
   */
  public record Outcome(int ran, int failed, boolean badInput, int notStarted) {
    public Outcome(int ran, int failed, boolean badInput) {
      this(ran, failed, badInput, 0);
    }

    public int exitCode() {
      return failed == 0 ? 0 : badInput ? CompressoException.EXIT_BAD_INPUT : CompressoException.EXIT_INTERNAL;
    }
  }

  private final SweepPlan plan;
  private final CellLocks locks;
  private final String name;
  private final PrintStream log;
  private final long deadlineMillis;
  private final LongSupplier clock;

  public Worker(Path folder, String name, PrintStream log) {
    this(SweepPlan.read(folder), new CellLocks(folder), name, log);
  }

  Worker(SweepPlan plan, CellLocks locks, String name, PrintStream log) {
    this(plan, locks, name, log, NO_DEADLINE, System::currentTimeMillis);
  }

  /**
   * A worker that starts no cell in {@link #runAll} once {@code clock} (milliseconds since the epoch) reads
   * past {@code deadlineMillis} ({@link #NO_DEADLINE}: never).
   */
  Worker(SweepPlan plan, CellLocks locks, String name, PrintStream log, long deadlineMillis, LongSupplier clock) {
    this.plan = plan;
    this.locks = locks;
    this.name = name;
    this.log = log;
    this.deadlineMillis = deadlineMillis;
    this.clock = clock;
  }

  /** No deadline. */
  static final long NO_DEADLINE = Long.MAX_VALUE;

  public static void main(String[] args) {
    try {
      NativeLogs.applyInherited();
      if (args.length < 2) {
        throw new BadInputException("usage: Worker DIR (--cell K | --all) [--name NAME]");
      }
      Path folder = Path.of(args[0]);
      String name = "pid " + ProcessHandle.current().pid();
      Integer cell = null;
      boolean all = false;
      long deadline = NO_DEADLINE;
      for (int i = 1; i < args.length; i++) {
        switch (args[i]) {
          case "--all" -> all = true;
          case "--cell" -> cell = parseIndex(value(args, ++i, "--cell"));
          case "--name" -> name = value(args, ++i, "--name");
          case "--deadline" -> deadline = parseDeadline(value(args, ++i, "--deadline"));
          default -> throw new BadInputException("unknown worker option " + args[i]);
        }
      }
      if (all == (cell != null)) {
        throw new BadInputException("give the worker either --cell K or --all");
      }
      Worker w = new Worker(SweepPlan.read(folder), new CellLocks(folder), name, System.err, deadline,
          System::currentTimeMillis);
      Outcome o = all ? w.runAll() : w.runCell(cell);
      System.err.flush();
      System.exit(o.exitCode());
    } catch (CompressoException e) {
      System.err.println("sweep worker: " + e.getMessage());
      System.exit(e.exitCode());
    } catch (RuntimeException | Error e) {
      System.err.println("sweep worker: internal error: " + e);
      System.exit(CompressoException.EXIT_INTERNAL);
    }
  }

  /** Parses a cell index ({@code --cell K}). */
  public static int parseIndex(String v) {
    try {
      return Integer.parseInt(v.strip());
    } catch (NumberFormatException e) {
      throw new BadInputException("--cell takes a cell index (0, 1, ...), got '" + v + "'");
    }
  }

  /** Runs cell {@code k} unless it is done; waits while a live worker holds it, takes over a dead one's. */
  public Outcome runCell(int k) {
    Cell cell = plan.cell(k);
    while (true) {
      CellLocks.Status st = locks.status(cell);
      switch (st.state()) {
        case DONE -> {
          log.println("sweep: cell " + k + " (" + cell.id() + ") is done");
          return new Outcome(0, 0, false);
        }
        case GIVEN_UP -> {
          log.println("sweep: cell " + k + " (" + cell.id() + ") failed for good: " + st.lastFailure());
          return new Outcome(0, 1, isBadInput(cell, st));
        }
        case FREE -> {
          Optional<CellLease> lease = locks.tryClaim(cell, st, name);
          if (lease.isPresent()) {
            boolean ok = execute(lease.get());
            if (ok) {
              return new Outcome(1, 0, false);
            }
          }
        }
        case LIVE -> sleep();
        default -> throw new IllegalStateException(st.state().name());
      }
    }
  }

  private static long parseDeadline(String v) {
    try {
      return Long.parseLong(v.strip());
    } catch (NumberFormatException e) {
      throw new BadInputException("--deadline takes milliseconds since the epoch, got '" + v + "'");
    }
  }

  /**
   * Claims and runs cells in plan order until each is done or given up, or, once the deadline has passed,
   * until none is left that this worker would start.
   */
  public Outcome runAll() {
    int ran = 0;
    while (true) {
      boolean pending = false;
      boolean claimedAny = false;
      int failed = 0;
      int notStarted = 0;
      int runningElsewhere = 0;
      boolean late = false;
      boolean badInput = false;
      for (Cell cell : plan.cells()) {
        if (clock.getAsLong() > deadlineMillis) {
          CellLocks.State state = locks.status(cell).state();
          if (state == CellLocks.State.FREE || state == CellLocks.State.LIVE) {
            late = true;
            notStarted += state == CellLocks.State.FREE ? 1 : 0;
            runningElsewhere += state == CellLocks.State.LIVE ? 1 : 0;
            continue;
          }
        }
        CellLocks.Status st = locks.status(cell);
        switch (st.state()) {
          case DONE -> { }
          case GIVEN_UP -> {
            failed++;
            badInput |= isBadInput(cell, st);
          }
          case LIVE -> pending = true;
          case FREE -> {
            pending = true;
            Optional<CellLease> lease = locks.tryClaim(cell, st, name);
            if (lease.isPresent()) {
              claimedAny = true;
              if (execute(lease.get())) {
                ran++;
              }
            }
          }
          default -> throw new IllegalStateException(st.state().name());
        }
      }
      if (!pending && late) {
        log.printf("sweep: worker %s stopped at the deadline: ran %d cell(s); %d cell(s) not started%s%n", name, ran,
            notStarted, runningElsewhere == 0 ? "" : ", " + runningElsewhere + " left to the worker(s) running them");
        return new Outcome(ran, failed, badInput, notStarted);
      }
      if (!pending) {
        log.printf("sweep: worker %s finished: ran %d cell(s); %d of %d cells failed%n", name, ran, failed,
            plan.cells().size());
        return new Outcome(ran, failed, badInput);
      }
      if (!claimedAny) {
        sleep();
      }
    }
  }

  /** Runs a claimed cell; false when it failed (recorded in its lock folder). */
  private boolean execute(CellLease lease) {
    Cell cell = lease.cell();
    try (lease) {
      if (locks.status(cell).state() == CellLocks.State.DONE) {
        return true;
      }
      long t0 = System.nanoTime();
      log.printf("sweep: worker %s runs cell %d (%s), %s%n", name, cell.index(), cell.id(), lease.dir().getFileName());
      try {
        CellRunner.run(plan, cell, log);
      } catch (BadInputException e) {
        lease.fail(e.getMessage(), true);
        log.println("sweep: cell " + cell.id() + " failed: " + e.getMessage());
        return false;
      } catch (RuntimeException | Error e) {
        if (terminating()) {
          log.println("sweep: cell " + cell.id() + " stopped because this worker is being terminated (" + e
              + "); not recorded as a failed attempt, the next worker continues it");
          log.flush();
          parkUntilExit();
        }
        lease.fail(String.valueOf(e.getMessage() == null ? e : e.getMessage()), false);
        log.println("sweep: cell " + cell.id() + " failed (it will be retried): " + e);
        return false;
      }
      log.printf("sweep: cell %s done in %.1f s%n", cell.id(), (System.nanoTime() - t0) / 1e9);
      return true;
    }
  }

  /** Whether this process's shutdown has begun, or begins within {@link #SHUTDOWN_GRACE_MILLIS}. */
  private static boolean terminating() {
    try {
      return TERMINATING.await(SHUTDOWN_GRACE_MILLIS, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return true;
    }
  }

  /** Waits for the shutdown under way to end this process; claims nothing more meanwhile. */
  private static void parkUntilExit() {
    while (true) {
      try {
        Thread.sleep(Long.MAX_VALUE);
      } catch (InterruptedException e) {
        // keep waiting: the shutdown halts the process
      }
    }
  }

  private boolean isBadInput(Cell cell, CellLocks.Status st) {
    return CellLocks.badInput(locks.attemptDir(cell, st.nextAttempt() - 1));
  }

  private static void sleep() {
    try {
      Thread.sleep(POLL_MILLIS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw CompressoException.internal("sweep worker interrupted", e);
    }
  }

  private static String value(String[] args, int i, String option) {
    if (i >= args.length) {
      throw new BadInputException(option + " needs a value");
    }
    return args[i];
  }
}
