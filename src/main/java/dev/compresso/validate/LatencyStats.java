package dev.compresso.validate;

import java.util.Arrays;

/**
 * Wall-clock times per invocation: median, 10th and 90th percentile (nearest rank: the value at sorted
 * position {@code ceil(q * runs) - 1}) and minimum, in milliseconds, over {@code runs} measurements. A
 * measurement is one window of {@code perWindow} back-to-back invocations divided by {@code perWindow}
 * ({@link LatencyWindows}); 1 where each invocation was timed alone.
 *
 * @param runs measurements (windows)
 * @param medianMs median time per invocation
 * @param p90Ms 90th percentile
 * @param minMs minimum
 * @param p10Ms 10th percentile
 * @param perWindow invocations per timed window (the median over the windows)
 * @param loadAverage the machine's 1-minute load average when timing began (NaN where unknown)
 * @param unstable why the measurement should not be trusted (a wide p10-p90 spread, a busy machine); empty
 *     when it is stable
 */
public record LatencyStats(int runs, double medianMs, double p90Ms, double minMs, double p10Ms, int perWindow,
    double loadAverage, String unstable) {

  public LatencyStats {
    if (runs < 1) {
      throw new IllegalArgumentException("latency needs at least one run, got " + runs);
    }
    unstable = unstable == null ? "" : unstable;
  }

  /** Statistics without a p10, window or stability verdict (old JSON, benchmarks that time steps). */
  public LatencyStats(int runs, double medianMs, double p90Ms, double minMs) {
    this(runs, medianMs, p90Ms, minMs, Double.NaN, 1, Double.NaN, "");
  }

  /** Statistics of the given times (not modified), each one invocation. */
  public static LatencyStats of(double[] ms) {
    return of(ms, 1, Double.NaN, "");
  }

  /** Statistics of per-invocation times measured over windows of {@code perWindow} invocations. */
  static LatencyStats of(double[] ms, int perWindow, double loadAverage, String unstable) {
    if (ms.length == 0) {
      throw new IllegalArgumentException("no times");
    }
    double[] s = ms.clone();
    Arrays.sort(s);
    int n = s.length;
    double median = n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    return new LatencyStats(n, median, rank(s, 0.9), s[0], rank(s, 0.1), perWindow, loadAverage, unstable);
  }

  private static double rank(double[] sorted, double q) {
    return sorted[Math.max(0, (int) Math.ceil(q * sorted.length) - 1)];
  }

  /** Whether the measurement is trustworthy ({@link #unstable} empty). */
  public boolean stable() {
    return unstable.isEmpty();
  }

  /** (p90 - p10) / median; NaN without a p10. */
  public double spread() {
    return (p90Ms - p10Ms) / medianMs;
  }

  /** Times {@code runs} calls of {@code invocation}, one by one, after {@code warmup} untimed ones. */
  public static LatencyStats measure(Runnable invocation, int warmup, int runs) {
    for (int i = 0; i < warmup; i++) {
      invocation.run();
    }
    double[] ms = new double[runs];
    for (int i = 0; i < runs; i++) {
      long t0 = System.nanoTime();
      invocation.run();
      ms[i] = (System.nanoTime() - t0) / 1e6;
    }
    return of(ms);
  }
}
