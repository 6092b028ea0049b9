package dev.compresso.ptq;

import dev.compresso.quant.FakeQuantMath;
import dev.compresso.quant.Nudged;

/**
 * Range search by quantization error (pure math). Activations: from a histogram of the calibration values,
 * the {@code [min, max]} that minimizes the expected squared error of 8-bit asymmetric FakeQuant (clipping
 * error outside, rounding error inside, with TF's nudging), searched over a grid of clipped ranges and over
 * percentile ranges (Banner et al., "Post training 4-bit quantization of convolutional networks for
 * rapid-deployment", NeurIPS 2019, §3: MSE-optimal clipping; Wu et al., "Integer Quantization for Deep Learning
 * Inference: Principles and Empirical Evaluation", 2020, §4.1: percentile and MSE calibration). Weights: the
 * symmetric per-channel bound minimizing the squared error of the converter's int8 rounding.
 */
public final class ClippingMath {

  /** Bins of an activation histogram. */
  public static final int BINS = 2048;
  /** Clipping fractions of the measured range searched per side: 1, 1 - 1/64, ..., 1 - 40/64. */
  static final int GRID = 41;
  /** Percentiles searched per side. */
  static final double[] PERCENTILES = {99.99, 99.999};
  /**
   * The most a range may clip: the values beyond the {@value}th percentile on each side. Clipping by MSE alone
   * cut the large activations a network's later layers rely on (the Keras UNet fixture: mean output error
   * x1.2 against min/max); within this bound the search still trims the rare outliers.
   */
  public static final double MAX_CLIPPED_PERCENTILE = 99.99;

  private ClippingMath() {}

  /**
   * Counts of values in {@code BINS} equal-width bins over {@code [lo, hi]}, with exact zeros counted apart
   * ({@code zeros}, not in {@code counts}): ReLU outputs are mostly exact zeros, which quantize without error.
   */
  public record Histogram(float lo, float hi, long[] counts, long zeros) {

    public float width() {
      return (hi - lo) / counts.length;
    }

    public float center(int bin) {
      return lo + (bin + 0.5f) * width();
    }

    public long total() {
      long t = zeros;
      for (long c : counts) {
        t += c;
      }
      return t;
    }
  }

  /** A chosen range and how it was found. */
  public record Choice(float min, float max, double error, double minMaxError, String how) {}

  /** Expected squared error (sum over values) of FakeQuant with {@code [min, max]} on {@code h}. */
  public static double error(Histogram h, float min, float max) {
    float[] r = FakeQuantMath.activationRange(min, max);
    Nudged n = FakeQuantMath.nudge(r[0], r[1], FakeQuantMath.INT8_BITS, false);
    double e = 0;
    for (int i = 0; i < h.counts().length; i++) {
      if (h.counts()[i] == 0) {
        continue;
      }
      float x = h.center(i);
      double d = x - FakeQuantMath.fakeQuant(x, n);
      e += h.counts()[i] * d * d;
    }
    return e;
  }

  /** The range holding {@code pct}% of the non-zero values on each side (nearest bin edges). */
  public static float[] percentile(Histogram h, double pct) {
    long total = 0;
    for (long c : h.counts()) {
      total += c;
    }
    double tail = total * (100 - pct) / 100;
    long acc = 0;
    int loBin = 0;
    while (loBin < h.counts().length - 1 && acc + h.counts()[loBin] <= tail) {
      acc += h.counts()[loBin++];
    }
    acc = 0;
    int hiBin = h.counts().length - 1;
    while (hiBin > 0 && acc + h.counts()[hiBin] <= tail) {
      acc += h.counts()[hiBin--];
    }
    float lo = h.lo() + loBin * h.width();
    float hi = h.lo() + (hiBin + 1) * h.width();
    return new float[] {Math.min(lo, 0f), Math.max(hi, 0f)};
  }

  /**
   * The MSE-optimal range over the grid of clipped ranges and the percentile ranges that clip no more than the
   * values beyond the {@link #MAX_CLIPPED_PERCENTILE}th percentile on each side; {@code [lo, hi]} (the measured
   * min/max, containing 0) is a candidate, so the result is never worse than min/max on {@code h}.
   */
  public static Choice search(Histogram h) {
    float lo = Math.min(h.lo(), 0f);
    float hi = Math.max(h.hi(), 0f);
    double minMaxError = error(h, lo, hi);
    Choice best = new Choice(lo, hi, minMaxError, minMaxError, "min/max");
    if (hi - lo <= FakeQuantMath.MIN_RANGE_WIDTH) {
      return best;
    }
    float[] bound = percentile(h, MAX_CLIPPED_PERCENTILE);
    for (int a = 0; a < GRID; a++) {
      float cl = lo * (1 - a / 64f);
      for (int b = 0; b < GRID; b++) {
        float ch = hi * (1 - b / 64f);
        if (ch - cl <= FakeQuantMath.MIN_RANGE_WIDTH || cl > bound[0] || ch < bound[1]) {
          continue;
        }
        double e = error(h, cl, ch);
        if (e < best.error()) {
          best = new Choice(cl, ch, e, minMaxError, "mse");
        }
      }
    }
    for (double p : PERCENTILES) {
      float[] r = percentile(h, p);
      if (r[1] - r[0] <= FakeQuantMath.MIN_RANGE_WIDTH) {
        continue;
      }
      double e = error(h, r[0], r[1]);
      if (e < best.error()) {
        best = new Choice(r[0], r[1], e, minMaxError, "percentile " + p);
      }
    }
    return best;
  }

  /**
   * The symmetric bound {@code b <= absMax} minimizing {@code sum (w - s q(w))^2} with {@code s = b / 127},
   * searched over {@code absMax * (1 - k / 100)}, {@code k = 0..30}.
   */
  public static float weightBound(float[] values, float absMax) {
    if (!(absMax > 0)) {
      return absMax;
    }
    float best = absMax;
    double bestError = weightError(values, absMax);
    for (int k = 1; k <= 30; k++) {
      float b = absMax * (1 - k / 100f);
      double e = weightError(values, b);
      if (e < bestError) {
        bestError = e;
        best = b;
      }
    }
    return best;
  }

  /** {@code sum (w - s q(w))^2} for bound {@code b}. */
  static double weightError(float[] values, float b) {
    float s = b / ConverterWeights.QMAX;
    double e = 0;
    for (float w : values) {
      double d = w - ConverterWeights.quantize(w, s) * s;
      e += d * d;
    }
    return e;
  }
}
