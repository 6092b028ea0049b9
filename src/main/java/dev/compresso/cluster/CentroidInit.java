package dev.compresso.cluster;

import dev.compresso.BadInputException;
import java.util.Arrays;
import java.util.Locale;
import java.util.Random;

/**
 * How the {@code K} centroids of one group of weights are first placed, the three ways tfmot's {@code
 * CentroidInitialization} offers:
 *
 * <ul>
 *   <li>{@link #LINEAR}: evenly spaced from the smallest to the largest value (tfmot's {@code LINEAR});
 *   <li>{@link #KMEANS_PLUS_PLUS}: k-means++ seeding (Arthur and Vassilvitskii, 2007: each next centroid
 *       drawn with probability proportional to its squared distance from the nearest chosen one), then
 *       Lloyd iterations ({@link KMeans1D#refine});
 *   <li>{@link #DENSITY}: at evenly spaced quantiles of the values' distribution, so dense regions get more
 *       centroids (tfmot's {@code DENSITY_BASED}, which interpolates the empirical CDF).
 * </ul>
 */
public enum CentroidInit {
  LINEAR("linear"),
  KMEANS_PLUS_PLUS("kmeans++"),
  DENSITY("density");

  private final String spelling;

  CentroidInit(String spelling) {
    this.spelling = spelling;
  }

  /** The command-line spelling. */
  public String spelling() {
    return spelling;
  }

  /** Parses {@code linear}, {@code kmeans++} or {@code density}. */
  public static CentroidInit parse(String s) {
    String t = s.trim().toLowerCase(Locale.ROOT);
    for (CentroidInit i : values()) {
      if (i.spelling.equals(t)) {
        return i;
      }
    }
    throw new BadInputException("--init '" + s + "' is not one of linear, kmeans++, density");
  }

  /**
   * {@code k} centroids for {@code values} (non-empty), sorted ascending.
   *
   * @param seed for k-means++'s draws
   */
  public float[] centroids(float[] values, int k, long seed) {
    float[] sorted = values.clone();
    Arrays.sort(sorted);
    float lo = sorted[0];
    float hi = sorted[sorted.length - 1];
    float[] c = new float[k];
    switch (this) {
      case LINEAR -> {
        for (int j = 0; j < k; j++) {
          c[j] = k == 1 ? lo : lo + (hi - lo) * j / (k - 1);
        }
      }
      case DENSITY -> {
        for (int j = 0; j < k; j++) {
          double q = k == 1 ? 0.5 : (double) j / (k - 1);
          double pos = q * (sorted.length - 1);
          int at = (int) Math.floor(pos);
          int next = Math.min(at + 1, sorted.length - 1);
          c[j] = (float) (sorted[at] + (pos - at) * (sorted[next] - sorted[at]));
        }
      }
      case KMEANS_PLUS_PLUS -> {
        Random r = new Random(seed);
        c[0] = values[r.nextInt(values.length)];
        double[] d2 = new double[values.length];
        Arrays.fill(d2, Double.MAX_VALUE);
        for (int j = 1; j < k; j++) {
          double total = 0;
          for (int i = 0; i < values.length; i++) {
            double d = values[i] - c[j - 1];
            d2[i] = Math.min(d2[i], d * d);
            total += d2[i];
          }
          double pick = r.nextDouble() * total;
          int chosen = values.length - 1;
          for (int i = 0; i < values.length; i++) {
            pick -= d2[i];
            if (pick < 0) {
              chosen = i;
              break;
            }
          }
          c[j] = values[chosen];
        }
        Arrays.sort(c);
        return KMeans1D.refine(values, c, KMeans1D.MAX_ITERATIONS);
      }
      default -> throw new IllegalStateException(name());
    }
    Arrays.sort(c);
    return c;
  }
}
