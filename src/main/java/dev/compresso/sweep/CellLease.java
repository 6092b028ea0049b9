package dev.compresso.sweep;

import com.google.gson.JsonObject;
import dev.compresso.io.AtomicOutput;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A worker's hold on one attempt of a cell ({@link CellLocks}): beats the heartbeat on a daemon thread
 * while the cell runs, and halts this process if a later attempt appears (the lease was lost: another
 * worker judged this one dead and now runs the cell, so this one must not write). Close it when the cell
 * is done; {@link #fail} first when it failed.
 */
public final class CellLease implements AutoCloseable {

  /** Exit status of a worker that lost its lease. */
  public static final int EXIT_LEASE_LOST = 3;

  private final Cell cell;
  private final Path dir;
  private final Path successor;
  private final ScheduledExecutorService beats;
  private long beat;

  CellLease(Cell cell, Path dir, Path successor, long heartbeatMillis) {
    this.cell = cell;
    this.dir = dir;
    this.successor = successor;
    beat();
    beats = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "compresso-heartbeat-" + cell.id());
      t.setDaemon(true);
      return t;
    });
    beats.scheduleWithFixedDelay(this::beat, heartbeatMillis, heartbeatMillis, TimeUnit.MILLISECONDS);
  }

  public Cell cell() {
    return cell;
  }

  /** The attempt's lock folder. */
  public Path dir() {
    return dir;
  }

  private synchronized void beat() {
    if (Files.exists(successor)) {
      System.err.println("sweep: cell " + cell.id() + ": " + successor.getFileName() + " exists, so another worker "
          + "took this cell over (this one missed its lease); stopping without writing");
      System.err.flush();
      Runtime.getRuntime().halt(EXIT_LEASE_LOST);
    }
    beat++;
    AtomicOutput.writeFile(dir.resolve(CellLocks.HEARTBEAT), beat + " " + System.currentTimeMillis() + "\n");
  }

  /** Records that this attempt failed; {@code badInput} failures are not retried. */
  public void fail(String message, boolean badInput) {
    JsonObject o = new JsonObject();
    o.addProperty("message", message);
    o.addProperty("bad_input", badInput);
    AtomicOutput.writeFile(dir.resolve(CellLocks.FAILED), o.toString());
  }

  @Override
  public void close() {
    beats.shutdownNow();
  }
}
