package dev.compresso.validate;

import dev.compresso.bench.InterpreterAgreementBenchmark;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Latency that means something for small models: each measurement is a window of back-to-back invocations
 * that lasts at least {@value #WINDOW_MS} ms (calls are added until it does), long enough to stand above the
 * timer's resolution and the scheduler's time slice (a 0.01 ms model timed one call at a time measures
 * preemptions, not the model), and the time per invocation is the window's over its count. Windows end by
 * time, not by a count fixed in advance, so a machine that slows down mid-measurement makes windows of
 * fewer calls, not windows of minutes. The median and the p10-p90 spread of the windows are
 * reported, and the measurement is marked unstable when the spread is wider than {@value #MAX_SPREAD} of
 * the median or the machine is busy: a 1-minute load average ({@code /proc/loadavg}) above the cores the
 * JVM may use, which leaves other processes waiting for the cores being measured on.
 *
 * <p>The same procedure in Python ({@code bench/tflite_python_latency.py}) times the official interpreter,
 * so the two can be compared ({@link InterpreterAgreementBenchmark}).
 */
public final class LatencyWindows {

  /** Shortest timed window, milliseconds. */
  public static final double WINDOW_MS = 20;
  /** Widest (p90 - p10) / median of a stable measurement. */
  public static final double MAX_SPREAD = 0.25;
  /** Most invocations in one window. */
  static final int MAX_PER_WINDOW = 100_000;

  private static final Path LOADAVG = Path.of("/proc/loadavg");

  private LatencyWindows() {}

  /**
   * Times {@code windows} windows of {@code invocation} after {@code warmup} untimed calls.
   *
   * @param threads the threads the invocation uses (named in the verdict)
   */
  public static LatencyStats measure(Runnable invocation, int warmup, int windows, int threads) {
    for (int i = 0; i < warmup; i++) {
      invocation.run();
    }
    double load = loadAverage();
    double[] ms = new double[windows];
    int[] calls = new int[windows];
    long window = (long) (WINDOW_MS * 1e6);
    for (int w = 0; w < windows; w++) {
      long t0 = System.nanoTime();
      long elapsed;
      int n = 0;
      do {
        invocation.run();
        n++;
        elapsed = System.nanoTime() - t0;
      } while (elapsed < window && n < MAX_PER_WINDOW);
      ms[w] = elapsed / 1e6 / n;
      calls[w] = n;
    }
    java.util.Arrays.sort(calls);
    int perWindow = calls[windows / 2];
    double after = loadAverage();
    double worst = Double.isNaN(load) ? after : Double.isNaN(after) ? load : Math.max(load, after);
    LatencyStats plain = LatencyStats.of(ms, perWindow, worst, "");
    return LatencyStats.of(ms, perWindow, worst, verdict(plain, worst, Runtime.getRuntime().availableProcessors(),
        threads));
  }

  /** Why {@code s} is unstable, or empty: a wide spread, a busy machine, too few windows to tell. */
  static String verdict(LatencyStats s, double loadAverage, int cores, int threads) {
    List<String> why = new ArrayList<>();
    if (s.runs() < 5) {
      why.add(s.runs() + " window(s) are too few to judge the spread");
    } else if (!(s.spread() <= MAX_SPREAD)) {
      why.add(String.format(Locale.ROOT, "p10-p90 spread %.0f%% of the median (over %.0f%%)", 100 * s.spread(),
          100 * MAX_SPREAD));
    }
    if (loadAverage > cores) {
      why.add(String.format(Locale.ROOT, "machine busy: load average %.2f above its %d core(s), %d used here",
          loadAverage, cores, threads));
    }
    return String.join("; ", why);
  }

  /** The 1-minute load average, NaN where {@code /proc/loadavg} cannot be read. */
  public static double loadAverage() {
    try {
      return Double.parseDouble(Files.readString(LOADAVG).trim().split("\\s+")[0]);
    } catch (IOException | RuntimeException e) {
      return Double.NaN;
    }
  }

  /** A ratio of two medians, saying so when either side is unstable. */
  public static String ratio(LatencyStats a, LatencyStats b) {
    if (!(b.medianMs() > 0)) {
      return "";
    }
    String r = String.format(Locale.ROOT, "%.2fx", a.medianMs() / b.medianMs());
    return a.stable() && b.stable() ? r : r + " (unstable)";
  }
}
