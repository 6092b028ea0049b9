package dev.compresso.cluster;

import java.util.Arrays;

/** One-dimensional k-means: nearest-centroid assignment and Lloyd's refinement (Lloyd, 1982). */
public final class KMeans1D {

  /** Lloyd iterations after k-means++ seeding, at most. */
  public static final int MAX_ITERATIONS = 30;

  private KMeans1D() {}

  /** Index of the nearest of the ascending {@code centroids} to each value (ties to the lower one). */
  public static int[] assign(float[] values, float[] centroids) {
    int[] out = new int[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = nearest(values[i], centroids);
    }
    return out;
  }

  /** The nearest of the ascending {@code centroids} to {@code v}. */
  public static int nearest(float v, float[] centroids) {
    int at = Arrays.binarySearch(centroids, v);
    if (at >= 0) {
      return at;
    }
    int hi = -at - 1;
    if (hi == 0) {
      return 0;
    }
    if (hi == centroids.length) {
      return centroids.length - 1;
    }
    return v - centroids[hi - 1] <= centroids[hi] - v ? hi - 1 : hi;
  }

  /**
   * Lloyd's iterations from {@code start} (ascending) until the assignment is stable or {@code iterations}
   * ran; a centroid left without values keeps its place. The result is ascending.
   */
  public static float[] refine(float[] values, float[] start, int iterations) {
    float[] c = start.clone();
    int[] assigned = assign(values, c);
    for (int it = 0; it < iterations; it++) {
      double[] sum = new double[c.length];
      int[] count = new int[c.length];
      for (int i = 0; i < values.length; i++) {
        sum[assigned[i]] += values[i];
        count[assigned[i]]++;
      }
      for (int j = 0; j < c.length; j++) {
        if (count[j] > 0) {
          c[j] = (float) (sum[j] / count[j]);
        }
      }
      Arrays.sort(c);
      int[] next = assign(values, c);
      if (Arrays.equals(next, assigned)) {
        break;
      }
      assigned = next;
    }
    return c;
  }
}
