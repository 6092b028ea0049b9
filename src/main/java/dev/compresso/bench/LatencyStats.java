package dev.compresso.bench;

import java.util.Arrays;

/**
 * Wall-clock times of {@code runs} timed invocations: median, 90th percentile (nearest rank: the value at
 * sorted position {@code ceil(0.9 * runs) - 1}) and minimum, in milliseconds.
 */
public record LatencyStats(int runs, double medianMs, double p90Ms, double minMs) {

  public LatencyStats {
    if (runs < 1) {
      throw new IllegalArgumentException("latency needs at least one run, got " + runs);
    }
  }

  /** Statistics of the given times (not modified). */
  public static LatencyStats of(double[] ms) {
    if (ms.length == 0) {
      throw new IllegalArgumentException("no times");
    }
    double[] s = ms.clone();
    Arrays.sort(s);
    int n = s.length;
    double median = n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    double p90 = s[Math.max(0, (int) Math.ceil(0.9 * n) - 1)];
    return new LatencyStats(n, median, p90, s[0]);
  }

  /** Times {@code runs} calls of {@code invocation} after {@code warmup} untimed ones. */
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
