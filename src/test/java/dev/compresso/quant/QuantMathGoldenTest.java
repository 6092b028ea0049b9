package dev.compresso.quant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.compresso.train.Tensors;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;
import org.tensorflow.op.quantization.FakeQuantWithMinMaxVars;
import org.tensorflow.types.TFloat32;

/**
 * Golden values for the quantization math: hand-computed nudging and TFLite parameters, and agreement
 * (same level, last-bit rounding) with TF's own {@code FakeQuantWithMinMaxVars} kernel (TF 2.18 in TF
 * Java) over a sweep of inputs and ranges.
 */
class QuantMathGoldenTest {

  @Test
  void nudgeMatchesHandComputedValues() {
    // [-1, 1], 8 bits: scale 2/255; in float32 the zero point from min is 127.49999, which rounds to 127.
    Nudged n = FakeQuantMath.nudge(-1f, 1f, 8, false);
    assertEquals(2f / 255f, n.scale(), 0f);
    assertEquals(127, n.zeroPoint());
    assertEquals(-127 * (2f / 255f), n.nudgedMin(), 1e-7f);
    assertEquals(128 * (2f / 255f), n.nudgedMax(), 1e-7f);
    assertEquals(new Int8Params(2f / 255f, -1), n.toInt8());
    // Symmetric narrow range [-1, 1]: quant [1, 255], zero point 128, exactly [-1, 1], int8 zero point 0.
    Nudged sym = FakeQuantMath.nudge(-1f, 1f, 8, true);
    assertEquals(1, sym.quantMin());
    assertEquals(128, sym.zeroPoint());
    assertEquals(-1f, sym.nudgedMin(), 1e-6f);
    assertEquals(1f, sym.nudgedMax(), 1e-6f);
    assertEquals(0, sym.toInt8().zeroPoint());
    // [0.5, 3]: zero point below quant_min is clamped to 0, the range slides to [0, 2.5].
    Nudged pos = FakeQuantMath.nudge(0.5f, 3f, 8, false);
    assertEquals(0, pos.zeroPoint());
    assertEquals(0f, pos.nudgedMin(), 0f);
    assertEquals(2.5f, pos.nudgedMax(), 1e-6f);
    // 4 bits: 15 steps.
    assertEquals(15, FakeQuantMath.quantMax(4));
    assertEquals(3f / 15f, FakeQuantMath.nudge(-1f, 2f, 4, false).scale(), 1e-7f);
    assertThrows(IllegalArgumentException.class, () -> FakeQuantMath.nudge(1f, 1f, 8, false));
    assertThrows(IllegalArgumentException.class, () -> FakeQuantMath.nudge(0f, Float.NaN, 8, false));
  }

  @Test
  void tfliteParametersMatchHandComputedValues() {
    // TFLite's ChooseQuantizationParams: [-1, 1] takes the zero point from max (-0.5), rounded to -1.
    assertEquals(new Int8Params(2f / 255f, -1), Int8Params.asymmetric(-1f, 1f));
    // A ReLU range [0, 6]: zero point -128, scale 6/255.
    assertEquals(new Int8Params(6f / 255f, -128), Int8Params.asymmetric(0f, 6f));
    // A range not containing 0 is widened to it: [2, 5] behaves as [0, 5].
    assertEquals(Int8Params.asymmetric(0f, 5f), Int8Params.asymmetric(2f, 5f));
    // [-52, 40] (the UNet upsampling branch): scale 92/255 = 0.3608, zero point round(127 - 40/scale) = 16.
    Int8Params up = Int8Params.asymmetric(-52f, 40f);
    assertEquals(92f / 255f, up.scale(), 1e-6f);
    assertEquals(16, up.zeroPoint());
    // Symmetric weights: scale = max|w| / 127, zero point 0.
    assertEquals(new Int8Params(0.5f / 127f, 0), Int8Params.symmetric(0.5f));
    Int8Params p = Int8Params.asymmetric(0f, 6f);
    assertEquals(-128, p.quantize(0f));
    assertEquals(127, p.quantize(6f));
    assertEquals(127, p.quantize(100f));
    assertEquals(6f, p.dequantize(127), 1e-6f);
  }

  @Test
  void activationRangeContainsZeroAndHasWidth() {
    assertArrayEquals2(new float[] {0f, 3f}, FakeQuantMath.activationRange(1f, 3f));
    assertArrayEquals2(new float[] {-2f, 0f}, FakeQuantMath.activationRange(-2f, -1f));
    assertArrayEquals2(new float[] {0f, FakeQuantMath.MIN_RANGE_WIDTH}, FakeQuantMath.activationRange(0f, 0f));
    float[] bounds = FakeQuantMath.symmetricBounds(new float[] {2f, 0f, -0.5f});
    assertArrayEquals2(new float[] {2f, 2e-3f, 0.5f}, bounds);
  }

  @Test
  void fakeQuantMatchesTensorFlowsKernelToTheLastBits() {
    float[][] ranges = {{-1f, 1f}, {0f, 6f}, {-52.3f, 40.1f}, {0.5f, 3f}, {-0.7f, -0.1f}, {-3.3f, 0.01f}};
    float[] x = new float[2001];
    for (int i = 0; i < x.length; i++) {
      x[i] = -60f + 120f * i / (x.length - 1);
    }
    for (float[] r : ranges) {
      for (boolean narrow : new boolean[] {false, true}) {
        for (int bits : new int[] {8, 4}) {
          float[] tf = tfFakeQuant(x, r[0], r[1], bits, narrow);
          Nudged n = FakeQuantMath.nudge(r[0], r[1], bits, narrow);
          for (int i = 0; i < x.length; i++) {
            // Same level (steps are >= 2^16 ulps); q * scale + nudged_min may differ in its last bits
            // (Eigen's vectorized evaluation).
            float ulps = 4 * Math.ulp(Math.max(Math.abs(n.nudgedMin()), Math.abs(n.nudgedMax())));
            assertEquals(tf[i], FakeQuantMath.fakeQuant(x[i], n), ulps,
                "x=" + x[i] + " range " + r[0] + ".." + r[1] + " bits " + bits + " narrow " + narrow);
          }
        }
      }
    }
  }

  private static float[] tfFakeQuant(float[] x, float min, float max, int bits, boolean narrow) {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Operand<TFloat32> y = tf.quantization.fakeQuantWithMinMaxVars(tf.constant(x), tf.constant(min),
          tf.constant(max), FakeQuantWithMinMaxVars.numBits((long) bits), FakeQuantWithMinMaxVars.narrowRange(narrow));
      try (Session s = new Session(g); Result r = s.runner().fetch(y).run()) {
        return Tensors.read(r.get(0));
      }
    }
  }

  private static void assertArrayEquals2(float[] expected, float[] actual) {
    org.junit.jupiter.api.Assertions.assertArrayEquals(expected, actual, 1e-7f);
  }
}
