package dev.compresso.train.metric;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * Metrics against numbers worked out by hand. The mask metrics share three samples of four values, shape
 * {@code [3, 4]}, cut at 0.5 (strictly greater is positive):
 *
 * <pre>
 *   M1: t = [1, 1, 0, 0]  p = [0.9, 0.4, 0.7, 0.0]   T = {0, 1}, P = {0, 2}, T∩P = {0}
 *   M2: t = [0, 0, 0, 0]  p = [0.1, 0.5, 0.2, 0.0]   both empty (0.5 is not above 0.5)
 *   M3: t = [0, 0, 0, 0]  p = [0.6, 0.0, 0.0, 0.0]   empty target, one false positive
 * </pre>
 */
class MetricGoldenTest {

  static final long[] SHAPE = {3, 4};
  static final float[] T = {1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
  static final float[] P = {0.9f, 0.4f, 0.7f, 0f, 0.1f, 0.5f, 0.2f, 0f, 0.6f, 0f, 0f, 0f};

  @Test
  void hardDice() {
    // M1: 2*1 / (2 + 2) = 0.5; M2: both empty -> 1; M3: 2*0 / (0 + 1) = 0; mean (0.5 + 1 + 0) / 3 = 0.5
    Metric dice = new HardDice();
    assertEquals(0.5, dice.sample(T, P, 0, new long[] {4}), 1e-12);
    assertEquals(1.0, dice.sample(T, P, 4, new long[] {4}), 1e-12);
    assertEquals(0.0, dice.sample(T, P, 8, new long[] {4}), 1e-12);
    assertEquals(0.5, dice.mean(T, P, SHAPE), 1e-12);
  }

  @Test
  void hardIou() {
    // M1: 1 / (2 + 2 - 1) = 1/3; M2: both empty -> 1; M3: 0 / 1 = 0; mean (1/3 + 1 + 0) / 3 = 4/9
    Metric iou = new HardIou();
    assertEquals(1.0 / 3, iou.sample(T, P, 0, new long[] {4}), 1e-12);
    assertEquals(1.0, iou.sample(T, P, 4, new long[] {4}), 1e-12);
    assertEquals(4.0 / 9, iou.mean(T, P, SHAPE), 1e-12);
  }

  @Test
  void emptyMasksScoreOne() {
    float[] empty = new float[8];
    assertEquals(1.0, new HardDice().mean(empty, empty, new long[] {2, 2, 2, 1}), 0);
    assertEquals(1.0, new HardIou().mean(empty, empty, new long[] {2, 2, 2, 1}), 0);
  }

  @Test
  void singleChannelAccuracy() {
    // M1: pixels 0 and 3 right, 1 and 2 wrong -> 0.5; M2: all negative, all right -> 1; M3: pixel 0 wrong -> 0.75
    // mean (0.5 + 1 + 0.75) / 3 = 0.75
    assertEquals(0.75, new Accuracy().mean(T, P, new long[] {3, 4, 1}), 1e-12);
  }

  @Test
  void classAccuracyUsesArgMaxWithFirstIndexOnTies() {
    // sample 1: t class 1, p [.2,.5,.3] -> 1 right; t class 0, p [.3,.3,.4] -> 2 wrong      -> 0.5
    // sample 2: t class 2, p [.4,.4,.2] -> 0 wrong; t class 0, p [.5,.5,0] -> tie -> 0 right -> 0.5
    // mean 0.5
    float[] t = {0, 1, 0, 1, 0, 0, 0, 0, 1, 1, 0, 0};
    float[] p = {0.2f, 0.5f, 0.3f, 0.3f, 0.3f, 0.4f, 0.4f, 0.4f, 0.2f, 0.5f, 0.5f, 0f};
    Metric accuracy = new Accuracy();
    assertEquals(0.5, accuracy.mean(t, p, new long[] {2, 2, 3}), 1e-12);
    // the same values as [4, 3]: one position per sample, rows right/wrong/wrong/right -> 0.5
    assertEquals(0.5, accuracy.mean(t, p, new long[] {4, 3}), 1e-12);
    assertEquals(1.0, accuracy.sample(t, p, 0, new long[] {3}), 1e-12);
    assertEquals(0.0, accuracy.sample(t, p, 3, new long[] {3}), 1e-12);
  }

  @Test
  void scalarPerSampleAccuracyThresholds() {
    // shape [4]: t 1,0,1,0 vs p .8,.6,.5,.1 -> right, wrong, wrong (.5 is negative), right -> 0.5
    assertEquals(0.5, new Accuracy().mean(new float[] {1, 0, 1, 0}, new float[] {0.8f, 0.6f, 0.5f, 0.1f},
        new long[] {4}), 1e-12);
  }

  @Test
  void meanAbsoluteError() {
    // M1: (0.1 + 0.6 + 0.7 + 0) / 4 = 0.35; M2: (0.1 + 0.5 + 0.2 + 0) / 4 = 0.2; M3: 0.6 / 4 = 0.15
    // mean 0.7 / 3 = 0.23333333
    assertEquals(0.7 / 3, new MeanAbsoluteError().mean(T, P, SHAPE), 1e-7);
  }

  @Test
  void directions() {
    assertEquals(true, new HardDice().higherIsBetter());
    assertEquals(true, new HardIou().higherIsBetter());
    assertEquals(true, new Accuracy().higherIsBetter());
    assertEquals(false, new MeanAbsoluteError().higherIsBetter());
  }
}
