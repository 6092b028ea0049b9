package dev.compresso.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.compresso.BadInputException;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class SyntheticShapesTest {

  private static final int SIZE = 48;

  @Test
  void sameSeedGivesTheSameBytesAndSmallerNIsAPrefix() {
    Dataset a = SyntheticShapes.generate(10, SIZE, 5);
    Dataset b = SyntheticShapes.generate(10, SIZE, 5);
    assertArrayEquals(a.inputs(), b.inputs());
    assertArrayEquals(a.targets(), b.targets());
    Dataset prefix = SyntheticShapes.generate(5, SIZE, 5);
    int per = SIZE * SIZE;
    assertArrayEquals(Arrays.copyOf(a.inputs(), 5 * per), prefix.inputs());
    assertArrayEquals(Arrays.copyOf(a.targets(), 5 * per), prefix.targets());
    Dataset other = SyntheticShapes.generate(5, SIZE, 6);
    assertFalse(Arrays.equals(prefix.inputs(), other.inputs()));
  }

  @Test
  void everySampleHasAMaskAndShapesBrighterThanTheBackgroundInZeroOne() {
    int n = 40;
    Dataset d = SyntheticShapes.generate(n, SIZE, 11);
    assertArrayEquals(new long[] {SIZE, SIZE, 1}, d.inputShape());
    assertArrayEquals(new long[] {SIZE, SIZE, 1}, d.targetShape());
    float[] x = d.inputs();
    float[] y = d.targets();
    int per = SIZE * SIZE;
    for (int i = 0; i < n; i++) {
      double fg = 0;
      double bg = 0;
      int fgCount = 0;
      for (int p = i * per; p < (i + 1) * per; p++) {
        assertTrue(x[p] >= 0 && x[p] <= 1, "x out of [0, 1] at " + p + ": " + x[p]);
        assertTrue(y[p] == 0 || y[p] == 1, "mask not binary at " + p);
        if (y[p] == 1) {
          fg += x[p];
          fgCount++;
        } else {
          bg += x[p];
        }
      }
      assertTrue(fgCount > 0, "empty mask in sample " + i);
      assertTrue(fgCount < per, "all-foreground mask in sample " + i);
      double fgMean = fg / fgCount;
      double bgMean = bg / (per - fgCount);
      assertTrue(fgMean > bgMean, String.format("sample %d: shapes %.3f, background %.3f", i, fgMean, bgMean));
    }
  }

  @Test
  void rejectsSizesOutsideTheRangeAndArraysTooLarge() {
    assertThrows(BadInputException.class, () -> SyntheticShapes.generate(1, SyntheticShapes.MIN_SIZE - 1, 1));
    assertThrows(BadInputException.class, () -> SyntheticShapes.generate(0, 32, 1));
    BadInputException e = assertThrows(BadInputException.class, () -> SyntheticShapes.generate(3000, 1024, 1));
    assertTrue(e.getMessage().contains("n=3000"), e.getMessage());
    assertEquals("synthetic:shapes?n=2&size=16&seed=-3", SyntheticShapes.generate(2, 16, -3).source());
  }
}
