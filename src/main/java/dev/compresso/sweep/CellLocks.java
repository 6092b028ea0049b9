package dev.compresso.sweep;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.compresso.BadInputException;
import dev.compresso.CompressoException;
import dev.compresso.io.AtomicOutput;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Who runs which cell, decided on the shared filesystem alone: no scheduler, queue or server.
 *
 * <p><b>The rule.</b> A cell is <i>done</i> when its {@code cell.json} exists (written atomically, last).
 * Otherwise a worker claims attempt {@code n} of cell {@code c} by creating the folder {@code
 * locks/c.attempt-n} with {@link Files#createDirectory}, which succeeds for exactly one caller (POSIX
 * {@code mkdir}, atomic on local filesystems and NFS); {@code n} is one more than the highest attempt
 * there. The holder writes {@code owner.json} (host, pid, process start) into it and rewrites {@code
 * heartbeat} every {@code heartbeat} interval. An attempt is <i>dead</i> when it recorded a failure
 * ({@code failed.json}), when its owner ran on this host and that process is gone, or when its {@code
 * heartbeat} has not changed for {@code lease} as observed on this worker's own clock (so hosts' clocks
 * need not agree). A dead attempt is never deleted or renamed: the next worker claims attempt {@code
 * n+1}, which only one can create. A holder that sees an attempt after its own has lost its lease (it
 * was too slow to beat) and stops at once without writing. After {@value #MAX_ATTEMPTS} dead attempts, or
 * one failure on bad input (which would fail again), a cell is <i>given up</i> and reported as failed.
 *
 * <p>One instance per worker: it remembers when it first saw each heartbeat.
 */
public final class CellLocks {

  public static final String FOLDER = "locks";
  public static final String OWNER = "owner.json";
  public static final String HEARTBEAT = "heartbeat";
  public static final String FAILED = "failed.json";
  /** Attempts a cell gets before it is given up. */
  public static final int MAX_ATTEMPTS = 3;
  public static final long HEARTBEAT_MILLIS_DEFAULT = 10_000;
  /** A heartbeat unchanged this long means its worker is dead: long enough for a stalled NFS client. */
  public static final long LEASE_MILLIS_DEFAULT = 120_000;
  /**
   * The environment variable that sets the lease in whole seconds (default 120), e.g. for a cluster whose
   * shared filesystem never stalls, or a drill that kills a worker on purpose ({@code deploy/slurm/try-local.sh}).
   * Every worker of a folder should see the same value: a holder beats every quarter lease (at most every
   * {@value #HEARTBEAT_MILLIS_DEFAULT} ms), and an observer judges with its own lease.
   */
  public static final String LEASE_ENV = "COMPRESSO_SWEEP_LEASE_SECONDS";
  /** The shortest lease {@link #LEASE_ENV} accepts: four beats of 2.5 s. */
  public static final long LEASE_SECONDS_MIN = 10;

  /** Where a cell stands. */
  public enum State {
    /** Its result is written. */
    DONE,
    /** No attempt yet, or the last one died and another is allowed: claim it. */
    FREE,
    /** An attempt holds it and is alive. */
    LIVE,
    /** Failed {@value #MAX_ATTEMPTS} times, or on bad input. */
    GIVEN_UP
  }

  /**
   * A cell's state, the number of its next attempt, and the last recorded failure.
   *
   * @param state what to do with the cell
   * @param nextAttempt the attempt number a claim creates
   * @param lastFailure the message of the last failed attempt, or null
   */
  public record Status(State state, int nextAttempt, String lastFailure) {}

  private record Seen(String heartbeat, long sinceNanos) {}

  private final Path out;
  private final long heartbeatMillis;
  private final long leaseMillis;
  private final Map<Path, Seen> seen = new HashMap<>();

  public CellLocks(Path out, long heartbeatMillis, long leaseMillis) {
    this.out = out;
    this.heartbeatMillis = heartbeatMillis;
    this.leaseMillis = leaseMillis;
  }

  /** The locks of {@code out} with the lease {@link #LEASE_ENV} sets, or the default. */
  public CellLocks(Path out) {
    this(out, leaseMillis(System.getenv()));
  }

  private CellLocks(Path out, long leaseMillis) {
    this(out, heartbeatMillis(leaseMillis), leaseMillis);
  }

  /** The lease {@code env} sets with {@link #LEASE_ENV}, or the default; a value that is not whole seconds of at least {@value #LEASE_SECONDS_MIN} is bad input. */
  static long leaseMillis(Map<String, String> env) {
    String v = env.get(LEASE_ENV);
    if (v == null || v.isBlank()) {
      return LEASE_MILLIS_DEFAULT;
    }
    long seconds;
    try {
      seconds = Long.parseLong(v.strip());
    } catch (NumberFormatException e) {
      seconds = -1;
    }
    if (seconds < LEASE_SECONDS_MIN || seconds > 7 * 24 * 3600) {
      throw new BadInputException(LEASE_ENV + " is the sweep lease in whole seconds, " + LEASE_SECONDS_MIN
          + " to 604800; got '" + v + "'");
    }
    return seconds * 1000;
  }

  /** How often a holder beats under {@code leaseMillis}: four times per lease, at most every {@value #HEARTBEAT_MILLIS_DEFAULT} ms. */
  static long heartbeatMillis(long leaseMillis) {
    return Math.min(HEARTBEAT_MILLIS_DEFAULT, leaseMillis / 4);
  }

  /** The lease: how long a heartbeat may stay unchanged before its attempt counts as dead. */
  public long leaseMillis() {
    return leaseMillis;
  }

  /** The file whose existence means the cell is done. */
  public Path doneFile(Cell cell) {
    return out.resolve(cell.id()).resolve(CellRunner.CELL_FILE);
  }

  /** The lock folder of attempt {@code n}. */
  public Path attemptDir(Cell cell, int n) {
    return out.resolve(FOLDER).resolve(cell.id() + ".attempt-" + n);
  }

  /** How many attempts the cell has had (the highest attempt folder plus one). */
  public int attempts(Cell cell) {
    Path locks = out.resolve(FOLDER);
    if (!Files.isDirectory(locks)) {
      return 0;
    }
    String prefix = cell.id() + ".attempt-";
    try (Stream<Path> s = Files.list(locks)) {
      return s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(prefix))
          .mapToInt(n -> parseOr(n.substring(prefix.length()), -1)).max().orElse(-1) + 1;
    } catch (IOException e) {
      throw CompressoException.internal("cannot list the sweep locks in " + locks + ": " + e.getMessage(), e);
    }
  }

  /** The cell's state now. */
  public Status status(Cell cell) {
    if (Files.exists(doneFile(cell))) {
      return new Status(State.DONE, attempts(cell), null);
    }
    int n = attempts(cell);
    if (n == 0) {
      return new Status(State.FREE, 0, null);
    }
    Path last = attemptDir(cell, n - 1);
    JsonObject failed = readJson(last.resolve(FAILED));
    String failure = failed == null ? null : failed.get("message").getAsString();
    boolean dead;
    if (failed != null) {
      if (failed.get("bad_input").getAsBoolean()) {
        return new Status(State.GIVEN_UP, n, failure);
      }
      dead = true;
    } else {
      dead = !alive(last);
    }
    if (!dead) {
      return new Status(State.LIVE, n, null);
    }
    if (n >= MAX_ATTEMPTS) {
      return new Status(State.GIVEN_UP, n, failure != null ? failure
          : MAX_ATTEMPTS + " attempts died without a result (killed, or out of memory?)");
    }
    return new Status(State.FREE, n, failure);
  }

  /**
   * Claims attempt {@code status.nextAttempt()} of {@code cell}; empty when another worker created it
   * first.
   */
  public Optional<CellLease> tryClaim(Cell cell, Status status, String worker) {
    Path dir = attemptDir(cell, status.nextAttempt());
    try {
      Files.createDirectories(dir.getParent());
      Files.createDirectory(dir);
    } catch (FileAlreadyExistsException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw CompressoException.internal("cannot create the lock " + dir + ": " + e.getMessage(), e);
    }
    JsonObject owner = new JsonObject();
    owner.addProperty("host", host());
    owner.addProperty("pid", ProcessHandle.current().pid());
    owner.addProperty("process_start", processStart(ProcessHandle.current()));
    owner.addProperty("worker", worker);
    AtomicOutput.writeFile(dir.resolve(OWNER), owner.toString());
    return Optional.of(new CellLease(cell, dir, attemptDir(cell, status.nextAttempt() + 1), heartbeatMillis));
  }

  /** Whether the attempt in {@code dir} recorded a failure on bad input. */
  static boolean badInput(Path dir) {
    JsonObject failed = readJson(dir.resolve(FAILED));
    return failed != null && failed.get("bad_input").getAsBoolean();
  }

  /** Whether the attempt in {@code dir} is held by a live worker. */
  private boolean alive(Path dir) {
    JsonObject owner = readJson(dir.resolve(OWNER));
    if (owner != null && owner.get("host").getAsString().equals(host())) {
      Optional<ProcessHandle> p = ProcessHandle.of(owner.get("pid").getAsLong());
      return p.isPresent() && p.get().isAlive() && processStart(p.get()) == owner.get("process_start").getAsLong();
    }
    String beat = readText(dir.resolve(HEARTBEAT));
    long now = System.nanoTime();
    Seen s = seen.get(dir);
    if (s == null || !s.heartbeat().equals(beat)) {
      seen.put(dir, new Seen(beat, now));
      return true;
    }
    return (now - s.sinceNanos()) / 1_000_000 < leaseMillis;
  }

  /** Milliseconds since the epoch when the process started (pids are reused; this pair is not), or 0. */
  static long processStart(ProcessHandle p) {
    return p.info().startInstant().map(i -> i.toEpochMilli()).orElse(0L);
  }

  /** This host's name as the kernel has it (what two workers on one machine share). */
  static String host() {
    try {
      return Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
    } catch (IOException e) {
      try {
        return InetAddress.getLocalHost().getHostName();
      } catch (IOException e2) {
        return "unknown-host";
      }
    }
  }

  private static JsonObject readJson(Path file) {
    String text = readText(file);
    if (text.isEmpty()) {
      return null;
    }
    try {
      return JsonParser.parseString(text).getAsJsonObject();
    } catch (RuntimeException e) {
      return null;
    }
  }

  private static String readText(Path file) {
    try {
      return Files.readString(file);
    } catch (NoSuchFileException e) {
      return "";
    } catch (IOException e) {
      return "";
    }
  }

  private static int parseOr(String s, int dflt) {
    try {
      return Integer.parseInt(s);
    } catch (NumberFormatException e) {
      return dflt;
    }
  }
}
