package dev.compresso.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.compresso.BadInputException;
import org.junit.jupiter.api.Test;

/** Golden centroids on small arrays, worked by hand. */
class CentroidInitTest {

  @Test
  void linearSpacesEvenlyFromMinToMax() {
    assertArrayEquals(new float[] {-1f, 0.5f, 2f}, CentroidInit.LINEAR.centroids(new float[] {2, -1, 0, 0.1f}, 3, 0));
  }

  @Test
  void densityPlacesCentroidsAtQuantiles() {
    // sorted 0,1,2,3,4,100: quantiles 0, 1/2, 1 at positions 0, 2.5, 5
    assertArrayEquals(new float[] {0f, 2.5f, 100f},
        CentroidInit.DENSITY.centroids(new float[] {100, 3, 0, 1, 4, 2}, 3, 0));
  }

  @Test
  void kmeansPlusPlusFindsSeparatedClustersMeans() {
    float[] v = {-5.1f, -4.9f, -5f, 0.1f, -0.1f, 0f, 7f, 7.2f, 6.8f};
    for (long seed = 0; seed < 5; seed++) {
      float[] c = CentroidInit.KMEANS_PLUS_PLUS.centroids(v, 3, seed);
      assertArrayEquals(new float[] {-5f, 0f, 7f}, c, 1e-5f, "seed " + seed);
    }
  }

  @Test
  void nearestAssignsToTheClosestAndTiesToTheLower() {
    float[] c = {-1f, 0f, 2f};
    assertArrayEquals(new int[] {0, 0, 1, 1, 2, 2, 0}, KMeans1D.assign(new float[] {-3, -0.5f, -0.4f, 1f, 1.1f, 9, -1},
        c));
    assertEquals(CentroidInit.KMEANS_PLUS_PLUS, CentroidInit.parse("KMeans++"));
    assertThrows(BadInputException.class, () -> CentroidInit.parse("random"));
  }
}
