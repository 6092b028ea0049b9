package dev.compresso.train.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * Every loss's Java form against numbers worked out by hand (to 1e-6), and its graph form against the
 * same numbers (to 1e-5, float32).
 *
 * <p>The segmentation-style losses share three samples of four values, shape {@code [3, 4]}:
 *
 * <pre>
 *   A: t = [1, 1, 0, 0]  p = [0.9, 0.6, 0.2, 0.0]   ordinary
 *   B: t = [0, 0, 0, 0]  p = [0.1, 0.0, 0.3, 0.0]   empty target
 *   C: t = [0, 1, 0, 1]  p = [0.0, 0.0, 1.0, 0.5]   saturated predictions (exercise clipping)
 * </pre>
 *
 * Per sample: sum(t*p) = 1.5, 0, 0.5; sum(t) = 2, 0, 2; sum(p) = 1.7, 0.4, 1.5.
 */
class LossGoldenTest {

  static final long[] SHAPE = {3, 4};
  static final float[] T = {1, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1};
  static final float[] P = {0.9f, 0.6f, 0.2f, 0f, 0.1f, 0f, 0.3f, 0f, 0f, 0f, 1f, 0.5f};

  private static void assertGolden(Loss loss, double golden, float[] t, float[] p, long[] shape) {
    assertEquals(golden, loss.mean(t, p, shape), 1e-6, loss.name() + " Java form");
    assertEquals(golden, LossGraphs.evaluate(loss, t, p, shape), 1e-5, loss.name() + " graph form");
  }

  @Test
  void dice() {
    // 1 - (2*I + 1) / (sum t + sum p + 1):
    // A: 1 - (3 + 1) / (2 + 1.7 + 1) = 1 - 4/4.7 = 0.14893617
    // B: 1 - (0 + 1) / (0 + 0.4 + 1) = 1 - 1/1.4 = 0.28571429
    // C: 1 - (1 + 1) / (2 + 1.5 + 1) = 1 - 2/4.5 = 0.55555556
    // mean = (0.14893617 + 0.28571429 + 0.55555556) / 3 = 0.33006867
    assertGolden(new Dice(), 0.3300686705, T, P, SHAPE);
  }

  @Test
  void diceOfPerfectAndOfEmptyPredictionsIsZero() {
    assertGolden(new Dice(), 0.0, new float[] {1, 0, 0, 0, 0, 0}, new float[] {1, 0, 0, 0, 0, 0}, new long[] {2, 3});
  }

  @Test
  void iou() {
    // U = sum t + sum p - I; loss 1 - (I + 1) / (U + 1):
    // A: U = 2.2, 1 - 2.5/3.2 = 0.21875
    // B: U = 0.4, 1 - 1/1.4 = 0.28571429
    // C: U = 3.0, 1 - 1.5/4 = 0.625
    // mean = 1.12946429 / 3 = 0.37648810
    assertGolden(new Iou(), 0.3764880952, T, P, SHAPE);
  }

  @Test
  void focalTversky() {
    // alpha 0.7 on FN = sum t(1-p), beta 0.3 on FP = sum (1-t)p, gamma 0.75, smooth 1;
    // TI = (TP + 1) / (TP + 0.7 FN + 0.3 FP + 1), loss (1 - TI)^0.75:
    // A: TP 1.5, FN 0.5, FP 0.2: TI = 2.5/2.91 = 0.85910653, (0.14089347)^0.75 = 0.22996839
    // B: TP 0,   FN 0,   FP 0.4: TI = 1/1.12  = 0.89285714, (0.10714286)^0.75 = 0.18727181
    // C: TP 0.5, FN 1.5, FP 1.0: TI = 1.5/2.85 = 0.52631579, (0.47368421)^0.75 = 0.57097446
    // mean = 0.98821467 / 3 = 0.32940489
    assertGolden(new FocalTversky(), 0.3294048886, T, P, SHAPE);
  }

  @Test
  void focalTverskyOfPerfectPredictionIsTheFloor() {
    // TI = 1 exactly, so 1 - TI is floored at 1e-7: (1e-7)^0.75 = 10^-5.25 = 5.6234e-6
    assertGolden(new FocalTversky(), Math.pow(10, -5.25), new float[] {1, 0, 1, 0}, new float[] {1, 0, 1, 0},
        new long[] {1, 4});
  }

  @Test
  void binaryCrossEntropyClipsLikeKeras() {
    // p clipped to [1e-7, 1 - 1e-7]; in float32 1 - 1e-7 rounds to 1 - 2^-23, so log(1 - p) at p = 1 is
    // ln(2^-23) = -15.94238515, and log(p) at p = 0 is ln(1e-7) = -16.11809565.
    // A: (-ln 0.9 - ln 0.6 - ln 0.8 - ln(1 - 1e-7)) / 4 = (0.10536052 + 0.51082562 + 0.22314355 + 1.2e-7) / 4
    //    = 0.20983245
    // B: (-ln 0.9 - ln(1 - 1e-7) - ln 0.7 - ln(1 - 1e-7)) / 4 = (0.10536052 + 0.35667494 + 2.4e-7) / 4 = 0.11550892
    // C: (1.2e-7 + 16.11809565 + 15.94238515 + ln 2) / 4 = 32.75362812 / 4 = 8.18840703
    // mean = 8.51374840 / 3 = 2.83791613
    assertGolden(new BinaryCrossEntropy(), 2.8379161279, T, P, SHAPE);
  }

  @Test
  void meanSquaredError() {
    // A: (0.01 + 0.16 + 0.04 + 0) / 4 = 0.0525
    // B: (0.01 + 0 + 0.09 + 0) / 4 = 0.025
    // C: (0 + 1 + 1 + 0.25) / 4 = 0.5625
    // mean = 0.64 / 3 = 0.21333333
    assertGolden(new MeanSquaredError(), 0.2133333333, T, P, SHAPE);
  }

  @Test
  void categoricalCrossEntropyMatchesKerasExample() {
    // Keras' CategoricalCrossentropy docstring: t = [[0,1,0],[0,0,1]], p = [[.05,.95,0],[.1,.8,.1]]
    // -> clip 0 to 1e-7 (t is 0 there, so it adds nothing), losses -ln .95 = 0.05129329, -ln .1 = 2.30258509,
    // mean 1.17693919 (Keras prints 1.1769392)
    float[] t = {0, 1, 0, 0, 0, 1};
    float[] p = {0.05f, 0.95f, 0f, 0.1f, 0.8f, 0.1f};
    assertGolden(new CategoricalCrossEntropy(), 1.1769391937, t, p, new long[] {2, 3});
  }

  @Test
  void categoricalCrossEntropyAveragesOverPositions() {
    // the two rows above as two positions of one sample, shape [1, 2, 3]: per sample the mean over
    // positions, (0.05129329 + 2.30258509) / 2 = 1.17693919 again (a sum would give 2.35387838)
    float[] t = {0, 1, 0, 0, 0, 1};
    float[] p = {0.05f, 0.95f, 0f, 0.1f, 0.8f, 0.1f};
    assertGolden(new CategoricalCrossEntropy(), 1.1769391937, t, p, new long[] {1, 2, 3});
  }

  @Test
  void categoricalCrossEntropyNormalisesPredictionsLikeKeras() {
    // p = [0.2, 0.2, 0.4] sums to 0.8 -> [0.25, 0.25, 0.5]; t = [1, 0, 0]: -ln 0.25 = 1.38629436
    assertGolden(new CategoricalCrossEntropy(), 1.3862943611, new float[] {1, 0, 0},
        new float[] {0.2f, 0.2f, 0.4f}, new long[] {1, 3});
  }
}
