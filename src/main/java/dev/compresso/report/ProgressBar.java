package dev.compresso.report;

import java.io.PrintStream;
import java.time.Duration;

/**
 * A one-line progress bar on a stream (stderr): {@code label [=====>    ] 45/125 12.3/s eta 0:06 extra}.
 *
 * <p>On a terminal it redraws in place; otherwise (CI logs, pipes) it prints a line at every tenth of the
 * way, so logs stay short.
 */
public final class ProgressBar implements AutoCloseable {

  private static final int WIDTH = 30;

  private final PrintStream out;
  private final String label;
  private final long total;
  private final boolean interactive;
  private final long startNanos = System.nanoTime();
  private long done;
  private int lastDecile = -1;
  private String extra = "";

  public ProgressBar(PrintStream out, String label, long total) {
    this(out, label, total, System.console() != null);
  }

  ProgressBar(PrintStream out, String label, long total, boolean interactive) {
    this.out = out;
    this.label = label;
    this.total = Math.max(1, total);
    this.interactive = interactive;
  }

  /** Advances by {@code n} steps and sets the text shown after the counters (e.g. the loss). */
  public void step(long n, String extraText) {
    done = Math.min(total, done + n);
    extra = extraText == null ? "" : extraText;
    if (interactive) {
      out.print("\r" + render());
      out.flush();
    } else {
      int decile = (int) (done * 10 / total);
      if (decile != lastDecile) {
        lastDecile = decile;
        out.println(render());
      }
    }
  }

  /** The current line, without a carriage return. */
  public String render() {
    int filled = (int) (WIDTH * done / total);
    StringBuilder bar = new StringBuilder("[");
    for (int i = 0; i < WIDTH; i++) {
      bar.append(i < filled ? '=' : i == filled ? '>' : ' ');
    }
    bar.append(']');
    double seconds = (System.nanoTime() - startNanos) / 1e9;
    double rate = done / Math.max(seconds, 1e-9);
    long etaSeconds = rate > 0 ? (long) ((total - done) / rate) : 0;
    return String.format("%s %s %d/%d %.1f/s eta %s %s", label, bar, done, total, rate, clock(etaSeconds),
        extra).stripTrailing();
  }

  /** Elapsed seconds since the bar was created. */
  public double elapsedSeconds() {
    return (System.nanoTime() - startNanos) / 1e9;
  }

  private static String clock(long seconds) {
    Duration d = Duration.ofSeconds(seconds);
    return d.toHours() > 0 ? String.format("%d:%02d:%02d", d.toHours(), d.toMinutesPart(), d.toSecondsPart())
        : String.format("%d:%02d", d.toMinutesPart(), d.toSecondsPart());
  }

  @Override
  public void close() {
    if (interactive) {
      out.println();
    } else if (lastDecile != 10) {
      out.println(render());
    }
  }
}
