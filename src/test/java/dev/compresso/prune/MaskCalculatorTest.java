package dev.compresso.prune;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.compresso.BadInputException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Golden masks on small arrays, worked by hand. */
class MaskCalculatorTest {

  private static PrunableWeight weight(String name, String op, int[] axes, long... shape) {
    return new PrunableWeight(name, op, List.of(name + "_op"), shape, axes);
  }

  private static float[] mask(PrunableWeight w, Granularity g, float[] values, double sparsity) {
    return new MaskCalculator(List.of(w), g, false).masks(Map.of(w.variable(), values), sparsity).get(w.variable());
  }

  @Test
  void lowestBreaksTiesByPositionAndPrunesExactlyTheCount() {
    assertArrayEquals(new boolean[] {false, true, false, true}, MaskCalculator.lowest(new double[] {3, 1, 2, 1}, 2));
    assertArrayEquals(new boolean[] {true, true, true, false}, MaskCalculator.lowest(new double[] {1, 1, 1, 1}, 3));
    assertEquals(5, MaskCalculator.prunedCount(10, 0.5));
    assertEquals(8, MaskCalculator.prunedCount(10, 0.8));
    assertEquals(3, MaskCalculator.prunedCount(7, 0.5));
    assertEquals(2, MaskCalculator.prunedCount(3, 0.9), "at least one unit is kept");
    assertEquals(0, MaskCalculator.prunedCount(10, 0.0));
  }

  @Test
  void unstructuredPrunesTheSmallestMagnitudes() {
    PrunableWeight w = weight("w", "MatMul", new int[] {1, 1}, 2, 4);
    float[] m = mask(w, new Granularity.Unstructured(), new float[] {-4, 0.1f, 3, -3, 0.2f, -0.25f, 9, 1}, 0.5);
    assertArrayEquals(new float[] {1, 0, 1, 1, 0, 0, 1, 0}, m);
  }

  @Test
  void blocksAreScoredByMeanMagnitudeOfTheMatrixView() {
    PrunableWeight w = weight("w", "MatMul", new int[] {1, 1}, 2, 4);
    float[] v = {-4, 0.1f, 3, -3, 0.2f, 0.2f, 9, 1};
    // 1x2 blocks: means 2.05, 3, 0.2, 5 -> prune 0.2 and 2.05
    assertArrayEquals(new float[] {0, 0, 1, 1, 0, 0, 1, 1}, mask(w, new Granularity.Block(1, 2), v, 0.5));
    // 2x1 blocks (columns): means 2.1, 0.15, 6, 2 -> prune columns 1 and 3
    assertArrayEquals(new float[] {1, 0, 1, 0, 1, 0, 1, 0}, mask(w, new Granularity.Block(2, 1), v, 0.5));
  }

  @Test
  void blockThatDoesNotDivideNamesEveryWeight() {
    PrunableWeight a = weight("a", "MatMul", new int[] {1, 1}, 2, 4);
    PrunableWeight b = weight("b", "MatMul", new int[] {1, 1}, 3, 6);
    BadInputException e = assertThrows(BadInputException.class,
        () -> new MaskCalculator(List.of(a, b), new Granularity.Block(2, 3), false));
    assertTrue(e.getMessage().contains("weight a") && e.getMessage().contains("weight b"), e.getMessage());
  }

  @Test
  void channelsUseTheOutputAxisOfEachOpAndL1OrL2() {
    // Conv2D [1,1,2,3]: output channel = i % 3; ch0 {1,2} ch1 {-1,0.1} ch2 {0.6,0.6}
    PrunableWeight conv = weight("c", "Conv2D", new int[] {3, 3}, 1, 1, 2, 3);
    float[] v = {1, -1, 0.6f, 2, 0.1f, 0.6f};
    // L1: 3, 1.1, 1.2 -> prune ch1; L2: 2.24, 1.005, 0.85 -> prune ch2
    assertArrayEquals(new float[] {1, 0, 1, 1, 0, 1},
        mask(conv, new Granularity.Channel(Granularity.Channel.Norm.L1), v, 0.34));
    assertArrayEquals(new float[] {1, 1, 0, 1, 1, 0},
        mask(conv, new Granularity.Channel(Granularity.Channel.Norm.L2), v, 0.34));
    // Conv2DBackpropInput [1,1,3,2]: output channel on axis 2 = (i / 2) % 3
    PrunableWeight up = weight("u", "Conv2DBackpropInput", new int[] {2, 2}, 1, 1, 3, 2);
    assertArrayEquals(new float[] {1, 1, 0, 0, 1, 1},
        mask(up, new Granularity.Channel(Granularity.Channel.Norm.L1), new float[] {1, 2, -0.1f, 0.1f, 5, 5}, 0.34));
    // MatMul with transpose_b [3,2]: output channel on axis 0 = i / 2
    PrunableWeight mt = weight("t", "MatMul", new int[] {0, 0}, 3, 2);
    assertArrayEquals(new float[] {1, 1, 0, 0, 1, 1},
        mask(mt, new Granularity.Channel(Granularity.Channel.Norm.L1), new float[] {1, 2, -0.1f, 0.1f, 5, 5}, 0.34));
    // DepthwiseConv2dNative [1,1,2,2]: 4 output channels c * 2 + m, one element each
    PrunableWeight dw = weight("d", "DepthwiseConv2dNative", new int[] {2, 3}, 1, 1, 2, 2);
    assertEquals(4, dw.outputChannels());
    assertArrayEquals(new float[] {0, 1, 0, 1},
        mask(dw, new Granularity.Channel(Granularity.Channel.Norm.L1), new float[] {0.1f, 3, -0.2f, 4}, 0.5));
  }

  @Test
  void globalThresholdSpansLayersButKeepsOneUnitPerLayer() {
    PrunableWeight a = weight("a", "MatMul", new int[] {1, 1}, 2, 2);
    PrunableWeight b = weight("b", "MatMul", new int[] {1, 1}, 2, 2);
    Map<String, float[]> values = new LinkedHashMap<>();
    values.put("a", new float[] {0.1f, 0.2f, 0.3f, 0.4f});
    values.put("b", new float[] {1, 2, 3, 4});
    Map<String, float[]> m = new MaskCalculator(List.of(a, b), new Granularity.Unstructured(), true).masks(values, 0.5);
    assertArrayEquals(new float[] {0, 0, 0, 1}, m.get("a"));
    assertArrayEquals(new float[] {1, 1, 1, 1}, m.get("b"));
    Map<String, float[]> perLayer = new MaskCalculator(List.of(a, b), new Granularity.Unstructured(), false)
        .masks(values, 0.5);
    assertArrayEquals(new float[] {0, 0, 1, 1}, perLayer.get("a"));
    assertArrayEquals(new float[] {0, 0, 1, 1}, perLayer.get("b"));
    assertThrows(BadInputException.class,
        () -> new MaskCalculator(List.of(a), new Granularity.Channel(Granularity.Channel.Norm.L1), true));
  }

  @Test
  void mByNPrunesWithinGroupsOfConsecutiveInputChannels() {
    // Conv2D [1,1,4,2]: element (c, o) at c * 2 + o; groups are the 4 input channels of each output o
    PrunableWeight conv = weight("c", "Conv2D", new int[] {3, 3}, 1, 1, 4, 2);
    float[] v = {1, -8, -2, 7, 3, 0.5f, -4, 6};
    Granularity.MByN twoFour = new Granularity.MByN(2, 4);
    // out 0: {1, -2, 3, -4} keeps 3 and -4; out 1: {-8, 7, 0.5, 6} keeps -8 and 7
    assertArrayEquals(new float[] {0, 1, 0, 1, 1, 0, 1, 0}, mask(conv, twoFour, v, 0.5));
    // the schedule ramps: at sparsity 0.25 one zero per group, at 0 none
    assertArrayEquals(new float[] {0, 1, 1, 1, 1, 0, 1, 1}, mask(conv, twoFour, v, 0.25));
    assertArrayEquals(new float[] {1, 1, 1, 1, 1, 1, 1, 1}, mask(conv, twoFour, v, 0.0));
    // 1:2 on the same kernel: groups {c0, c1} and {c2, c3} per output
    assertArrayEquals(new float[] {0, 1, 1, 0, 0, 0, 1, 1}, mask(conv, new Granularity.MByN(1, 2), v, 0.5));
    // transposed conv [kh, kw, out, in]: input channels are the last axis, so consecutive elements
    PrunableWeight up = weight("u", "Conv2DBackpropInput", new int[] {2, 2}, 1, 1, 2, 4);
    assertArrayEquals(new float[] {0, 0, 1, 1, 1, 1, 0, 0},
        mask(up, twoFour, new float[] {1, -2, 3, -4, -8, 7, 0.5f, 6}, 0.5));
    // MatMul [in, out]: input channels are axis 0
    PrunableWeight mm = weight("m", "MatMul", new int[] {1, 1}, 4, 2);
    assertArrayEquals(new float[] {0, 1, 0, 1, 1, 0, 1, 0}, mask(mm, twoFour, v, 0.5));
    assertEquals(0.5, new MaskCalculator(List.of(conv), twoFour, false).targetSparsity("c", 0.5));
  }

  @Test
  void mByNRefusesBadPatternsAndKernelsItCannotDivideNamingThem() {
    assertEquals(new Granularity.MByN(2, 4), Granularity.parse("2:4"));
    assertEquals("2:4", Granularity.parse(" 2:4 ").spelling());
    assertThrows(BadInputException.class, () -> Granularity.parse("4:4"));
    assertThrows(BadInputException.class, () -> Granularity.parse("5:4"));
    assertThrows(BadInputException.class, () -> Granularity.parse("0:4"));
    PrunableWeight six = weight("enc/kernel", "Conv2D", new int[] {3, 3}, 3, 3, 6, 8);
    BadInputException e = assertThrows(BadInputException.class,
        () -> new MaskCalculator(List.of(six), new Granularity.MByN(2, 4), false));
    assertTrue(e.getMessage().contains("enc/kernel") && e.getMessage().contains("6 input channels"), e.getMessage());
    assertThrows(BadInputException.class, () -> new MaskCalculator(List.of(six), new Granularity.MByN(1, 2), true));
    assertThrows(BadInputException.class, () -> PruneConfig.builder(0.8).optGranularity(new Granularity.MByN(2, 4))
        .build());
  }
}
