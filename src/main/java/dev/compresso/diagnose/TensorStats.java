package dev.compresso.diagnose;

import dev.compresso.tflite.TensorInfo;

/**
 * Running sums of one quantized tensor against its float counterpart over the samples ({@link Diagnoser}): error,
 * cosine, range, clipped values; for a tensor concat equalization may have rescaled, the per-channel factors
 * fitted on the first sample.
 */
final class TensorStats {

  /** The residual without channel factors must be this many times the fitted one to apply them. */
  static final double RESCALE_EXPLAINS = 10;
  /** Some channel factor must differ from 1 by more than this. */
  static final double RESCALE_MIN_CHANGE = 0.1;

  private final double lo;
  private final double hi;
  private long n;
  private long outside;
  private double sumSqErr;
  private double maxAbs;
  private double dot;
  private double sumSqA;
  private double sumSqB;
  private double sumB;
  private double min = Double.POSITIVE_INFINITY;
  private double max = Double.NEGATIVE_INFINITY;
  /** Fit channel scales on the first sample (a tensor concat equalization may have rescaled). */
  private final boolean fitChannels;
  private final int channels;
  /** The per-channel factors applied to the float values, or null for none. */
  private double[] channelScale;
  private boolean fitted;

  TensorStats(TensorInfo t, boolean fitChannels) {
    int[] shape = t.shape();
    this.channels = shape.length == 0 ? 1 : Math.max(1, shape[shape.length - 1]);
    this.fitChannels = fitChannels && channels > 1;
    int qmin = t.dtype().equals("INT16") ? Short.MIN_VALUE : t.dtype().equals("UINT8") ? 0 : -128;
    int qmax = t.dtype().equals("INT16") ? Short.MAX_VALUE : t.dtype().equals("UINT8") ? 255 : 127;
    float scale = t.quantization().scale();
    long zp = t.quantization().zeroPoint();
    lo = scale * (qmin - zp) - scale / 2;
    hi = scale * (qmax - zp) + scale / 2;
  }

  void add(float[] quant, float[] want) {
    if (fitChannels && !fitted) {
      channelScale = fitChannelScale(quant, want);
      fitted = true;
    }
    for (int i = 0; i < want.length; i++) {
      double a = quant[i];
      double b = channelScale == null ? want[i] : channelScale[i % channels] * want[i];
      double d = a - b;
      sumSqErr += d * d;
      maxAbs = Math.max(maxAbs, Math.abs(d));
      dot += a * b;
      sumSqA += a * a;
      sumSqB += b * b;
      sumB += b;
      min = Math.min(min, b);
      max = Math.max(max, b);
      if (b < lo || b > hi) {
        outside++;
      }
    }
    n += want.length;
  }

  /**
   * Per-channel least-squares factors {@code k_c} with {@code quant ~ k_c want}, kept only when they explain
   * the difference: equalization scaled whole channels by positive factors (without them the residual
   * would be at least {@value #RESCALE_EXPLAINS} times larger) and some channel moved by more than
   * {@value #RESCALE_MIN_CHANGE}. Clipping or rounding does not look like that.
   */
  private double[] fitChannelScale(float[] quant, float[] want) {
    double[] qf = new double[channels];
    double[] ff = new double[channels];
    for (int i = 0; i < want.length; i++) {
      qf[i % channels] += (double) quant[i] * want[i];
      ff[i % channels] += (double) want[i] * want[i];
    }
    double[] k = new double[channels];
    double moved = 0;
    for (int c = 0; c < channels; c++) {
      k[c] = ff[c] > 0 && qf[c] > 0 ? qf[c] / ff[c] : 1;
      moved = Math.max(moved, Math.abs(k[c] - 1));
    }
    double raw = 0;
    double fitted = 0;
    for (int i = 0; i < want.length; i++) {
      double d0 = quant[i] - want[i];
      double d1 = quant[i] - k[i % channels] * want[i];
      raw += d0 * d0;
      fitted += d1 * d1;
    }
    return moved > RESCALE_MIN_CHANGE && fitted * RESCALE_EXPLAINS < raw ? k : null;
  }

  int rescaledChannels() {
    if (channelScale == null) {
      return 0;
    }
    int n = 0;
    for (double k : channelScale) {
      n += Math.abs(k - 1) > 0.01 ? 1 : 0;
    }
    return n;
  }

  double spreadOverRange() {
    double mean = sumB / n;
    double var = Math.max(0, sumSqB / n - mean * mean);
    return max > min ? Math.sqrt(var) / (max - min) : 1;
  }

  Diagnosis.TensorError report(TensorInfo t, String op, String node) {
    double rmse = Math.sqrt(sumSqErr / n);
    double rms = Math.sqrt(sumSqB / n);
    double cos = sumSqA > 0 && sumSqB > 0 ? dot / Math.sqrt(sumSqA * sumSqB) : (sumSqA == sumSqB ? 1 : 0);
    float scale = t.quantization().scale();
    return new Diagnosis.TensorError(t.index(), t.name(), op, t.dtype(), scale, t.quantization().zeroPoint(), node,
        min, max, (max - min) / scale, rmse, rmse / scale, maxAbs, cos, rms > 0 ? rmse / rms : rmse,
        (double) outside / n, rescaledChannels());
  }
}
