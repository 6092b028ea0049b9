package dev.compresso.train.task;

import dev.compresso.data.BatchStream;
import dev.compresso.data.Dataset;
import dev.compresso.data.SampleSource;

/**
 * What the target values of a source are, read once batch by batch: whether every value is 0 or 1, whether
 * every value is a whole number, and the largest value.
 */
record TargetScan(boolean binary, boolean integers, double max, long values) {

  static TargetScan of(SampleSource data) {
    boolean binary = true;
    boolean integers = true;
    double max = Double.NEGATIVE_INFINITY;
    long n = 0;
    if (data instanceof Dataset d) {
      return of(d.targets());
    }
    try (BatchStream batches = data.stream(64, null, false)) {
      while (batches.hasNext()) {
        TargetScan s = of(batches.next().y());
        binary &= s.binary;
        integers &= s.integers;
        max = Math.max(max, s.max);
        n += s.values;
      }
    }
    return new TargetScan(binary, integers, max, n);
  }

  static TargetScan of(float[] y) {
    boolean binary = true;
    boolean integers = true;
    double max = Double.NEGATIVE_INFINITY;
    for (float v : y) {
      binary &= v == 0f || v == 1f;
      integers &= v == Math.rint(v);
      max = Math.max(max, v);
    }
    return new TargetScan(binary, integers, max, y.length);
  }
}
