package dev.compresso.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.compresso.BadInputException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class DatasetTest {

  /** Sample i has x = [i, i + 0.5] and y = [100 + i], so every row names its sample. */
  private static Dataset numbered(int n) {
    float[] x = new float[2 * n];
    float[] y = new float[n];
    for (int i = 0; i < n; i++) {
      x[2 * i] = i;
      x[2 * i + 1] = i + 0.5f;
      y[i] = 100 + i;
    }
    return Dataset.of("numbered", x, new long[] {2}, y, new long[] {1}, n);
  }

  private static List<Integer> ids(Dataset d) {
    List<Integer> ids = new ArrayList<>();
    for (int i = 0; i < d.size(); i++) {
      assertEquals(d.inputs()[2 * i] + 0.5f, d.inputs()[2 * i + 1]);
      assertEquals(100 + d.inputs()[2 * i], d.targets()[i], "x and y of a sample stay together");
      ids.add((int) d.inputs()[2 * i]);
    }
    return ids;
  }

  @Test
  void splitSizesAreDisjointCompleteAndDeterministic() {
    Dataset d = numbered(50);
    Dataset.Split s = d.split(0.2, 7);
    assertEquals(40, s.train().size());
    assertEquals(10, s.test().size());
    TreeSet<Integer> all = new TreeSet<>(ids(s.train()));
    all.addAll(ids(s.test()));
    assertEquals(50, all.size());
    assertEquals(ids(s.test()), ids(d.split(0.2, 7).test()));
    assertNotEquals(ids(s.test()), ids(d.split(0.2, 8).test()));
    assertEquals(1, numbered(3).split(0.01, 1).test().size());
    assertEquals(0, numbered(3).split(0, 1).test().size());
    assertThrows(BadInputException.class, () -> d.split(1.0, 1));
  }

  @Test
  void batchesCoverEverySampleOncePerEpoch() {
    Dataset d = numbered(23);
    Random rng = new Random(3);
    for (int epoch = 0; epoch < 2; epoch++) {
      List<Integer> seen = new ArrayList<>();
      int batches = 0;
      for (Dataset.Batch b : d.batches(5, rng, false)) {
        batches++;
        assertArrayEquals(new long[] {b.size(), 2}, b.xShape());
        assertArrayEquals(new long[] {b.size(), 1}, b.yShape());
        for (int i = 0; i < b.size(); i++) {
          assertEquals(100 + b.x()[2 * i], b.y()[i]);
          seen.add((int) b.x()[2 * i]);
        }
      }
      assertEquals(d.batchCount(5, false), batches);
      assertEquals(5, batches);
      List<Integer> sorted = new ArrayList<>(seen);
      sorted.sort(null);
      assertEquals(range(23), sorted);
      assertNotEquals(range(23), seen, "shuffled order");
    }
    int dropped = 0;
    for (Dataset.Batch b : d.batches(5, null, true)) {
      assertEquals(5, b.size());
      dropped++;
    }
    assertEquals(4, dropped);
  }

  @Test
  void shuffleOrderDependsOnTheSeedOnly() {
    Dataset d = numbered(30);
    assertEquals(order(d, 1), order(d, 1));
    assertNotEquals(order(d, 1), order(d, 2));
    List<Integer> inOrder = new ArrayList<>();
    d.batches(7, null, false).forEach(b -> {
      for (int i = 0; i < b.size(); i++) {
        inOrder.add((int) b.x()[2 * i]);
      }
    });
    assertEquals(range(30), inOrder);
  }

  @Test
  void classNamesNeedMatchingOneHotTargetsAndSurviveSubsets() {
    Dataset d = Dataset.of("c", new float[] {1, 2, 3}, new long[] {1}, new float[] {1, 0, 0, 1, 1, 0},
        new long[] {2}, 3).withClassNames(List.of("a", "b"));
    assertEquals(List.of("a", "b"), d.slice(1, 2).classNames());
    assertEquals(List.of("a", "b"), d.select(new int[] {2, 0}).classNames());
    assertTrue(d.toString().contains("classes [a, b]"));
    assertThrows(BadInputException.class, () -> d.withClassNames(List.of("a", "b", "c")));
    assertThrows(BadInputException.class, () -> d.withClassNames(List.of("a", "a")));
    assertFalse(numbered(2).toString().contains("classes"));
  }

  @Test
  void nonFiniteValuesAreRejectedWithTheSample() {
    BadInputException e = assertThrows(BadInputException.class, () -> Dataset.of("src",
        new float[] {0, 1, Float.POSITIVE_INFINITY, 3}, new long[] {2}, new float[] {0, 0}, new long[] {1}, 2));
    assertTrue(e.getMessage().contains("src") && e.getMessage().contains("sample 1"), e.getMessage());
  }

  private static List<Integer> order(Dataset d, long seed) {
    List<Integer> o = new ArrayList<>();
    for (Dataset.Batch b : d.batches(4, new Random(seed), false)) {
      for (int i = 0; i < b.size(); i++) {
        o.add((int) b.x()[2 * i]);
      }
    }
    return o;
  }

  private static List<Integer> range(int n) {
    List<Integer> r = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      r.add(i);
    }
    return r;
  }
}
