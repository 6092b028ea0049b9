package dev.compresso.ptq;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.compresso.quant.ConstTensor;
import java.util.Arrays;
import dev.compresso.quant.WeightQuant;
import org.junit.jupiter.api.Test;

/** Golden values of the PTQ math: converter weights, clipping search, AdaRound's rectified sigmoid and schedule, CLE's scale. */
class PtqMathGoldenTest {

  @Test
  void converterWeightsArePerChannelSymmetricInt8() {
    // [1, 1, 2, 2] kernel (h, w, in, out): channel 0 holds {1.27, -0.5}, channel 1 {0.254, 0.1}.
    ConstTensor k = new ConstTensor("k", new float[] {1.27f, 0.254f, -0.5f, 0.1f}, new long[] {1, 1, 2, 2});
    WeightQuant spec = WeightQuant.perChannel(1, 3);
    assertArrayEquals(new float[] {0.01f, 0.002f}, ConverterWeights.scales(k, spec), 1e-7f);
    // -0.5 / 0.01 = -50; 0.1 / 0.002 = 50.
    assertArrayEquals(new float[] {1.27f, 0.254f, -0.5f, 0.1f}, ConverterWeights.dequantized(k, spec), 1e-6f);
    assertEquals(-3, ConverterWeights.quantize(-0.025f, 0.01f)); // -2.5 rounds away from zero
    assertEquals(127, ConverterWeights.quantize(9f, 0.01f)); // clamped
    assertEquals(1, ConverterWeights.channels(k, WeightQuant.perTensor(1)));
  }

  @Test
  void mseSearchClipsAnOutlierAndNeverLosesToMinMax() {
    long[] counts = new long[ClippingMath.BINS];
    // 10 million values spread over [0, 1] of a [0, 100] histogram, one outlier at 100: rounding 10 million
    // values on a 100/255 grid costs more than clipping the one outlier.
    float width = 100f / ClippingMath.BINS;
    int oneBin = (int) (1 / width);
    for (int b = 0; b <= oneBin; b++) {
      counts[b] = 10_000_000 / (oneBin + 1);
    }
    counts[ClippingMath.BINS - 1] = 1;
    ClippingMath.Histogram h = new ClippingMath.Histogram(0f, 100f, counts, 0);
    ClippingMath.Choice c = ClippingMath.search(h);
    assertTrue(c.max() < 10f, "clipped to " + c.max());
    assertTrue(c.error() < c.minMaxError() / 10, c.toString());
    assertEquals(0f, c.min());
    float[] p = ClippingMath.percentile(h, 99.999);
    assertEquals(0f, p[0]);
    assertTrue(p[1] > 0.9f && p[1] < 1.2f, "99.999th percentile " + p[1]);
    // A flat histogram keeps its range (clipping only adds error there).
    long[] flat = new long[ClippingMath.BINS];
    java.util.Arrays.fill(flat, 100);
    ClippingMath.Choice f = ClippingMath.search(new ClippingMath.Histogram(-1f, 1f, flat, 0));
    assertEquals("min/max", f.how());
  }

  @Test
  void weightBoundClipsAFarOutlierOnly() {
    // 100,000 values in [-1, 1]: one outlier at 3 costs less clipped at 0.7 x 3 than the coarser grid would.
    float[] v = new float[100_000];
    for (int i = 0; i < v.length; i++) {
      v[i] = (i - 50_000) / 50_000f;
    }
    assertEquals(1f, ClippingMath.weightBound(v, 1f), 0f);
    float[] few = Arrays.copyOf(v, 1000);
    few[0] = 3f;
    assertEquals(3f, ClippingMath.weightBound(few, 3f), 0f, "1,000 values: the outlier is kept");
    v[0] = 3f;
    float b = ClippingMath.weightBound(v, 3f);
    assertTrue(b < 3f, "bound " + b);
    assertTrue(ClippingMath.weightError(v, b) < ClippingMath.weightError(v, 3f));
  }

  @Test
  void adaRoundMathMatchesThePaper() {
    for (float r : new float[] {0.1f, 0.5f, 0.9f}) {
      assertEquals(r, AdaRoundMath.rectifiedSigmoid(AdaRoundMath.initial(r)), 1e-5f);
    }
    assertEquals(0f, AdaRoundMath.rectifiedSigmoid(-20f));
    assertEquals(1f, AdaRoundMath.rectifiedSigmoid(20f));
    assertEquals(0f, AdaRoundMath.regularizer(0f, 20f), 0f);
    assertEquals(0f, AdaRoundMath.regularizer(1f, 2f), 0f);
    assertEquals(1f, AdaRoundMath.regularizer(0.5f, 2f), 0f);
    assertEquals(0.75f, AdaRoundMath.regularizer(0.75f, 2f), 1e-6f); // 1 - 0.5^2
    assertEquals(20f, AdaRoundMath.beta(0, 100));
    assertEquals(20f, AdaRoundMath.beta(19, 100));
    assertEquals(11f, AdaRoundMath.beta(60, 100), 1e-5f); // halfway through the annealing
    assertEquals(0f, AdaRoundMath.regWeight(10, 100));
    assertEquals(AdaRoundMath.REG_WEIGHT, AdaRoundMath.regWeight(20, 100));
  }

  @Test
  void cleScaleEqualizesRangesAndRespectsTheReluSixCap() {
    // r1 = 4, r2 = 1: s = sqrt(4) / 1 = 2; both ranges become 2.
    assertEquals(2f, CrossLayerEqualization.scale(4f, 1f, Float.NaN), 1e-6f);
    assertEquals(0.5f, CrossLayerEqualization.scale(1f, 4f, Float.NaN), 1e-6f);
    assertEquals(1f, CrossLayerEqualization.scale(0f, 4f, Float.NaN));
    // ReLU6 reached by the data: not scaled; below the cap: the channel may grow only up to it.
    assertEquals(1f, CrossLayerEqualization.scale(1f, 4f, 6.5f));
    assertEquals(0.75f, CrossLayerEqualization.scale(1f, 4f, 4.5f), 1e-6f);
  }
}
