package dev.compresso.ptq;

import dev.compresso.quant.ConstTensor;
import dev.compresso.quant.FakeQuantMath;
import dev.compresso.quant.WeightQuant;

/**
 * The int8 weights the TFLite converter will write for a float kernel (TFLite's quantization spec:
 * symmetric, zero point 0, values in [-127, 127], per output channel for conv and depthwise kernels, per
 * tensor for FULLY_CONNECTED): scale {@code s_c = max_c |w| / 127} with the bounds of {@link
 * FakeQuantMath#symmetricBounds} (which calibration also writes into the kernels' FakeQuant ranges), and
 * {@code q = round(w / s_c)} rounded half away from zero.
 */
public final class ConverterWeights {

  /** The largest int8 weight magnitude (narrow range). */
  public static final int QMAX = 127;

  private ConverterWeights() {}

  /** The quantization channel of flat element {@code i} (0 for a per-tensor kernel). */
  public static int channel(ConstTensor k, int i, WeightQuant spec) {
    return spec.perChannel() ? k.channelOf(i, spec.channelAxis(), spec.multiplierAxis()) : 0;
  }

  /** The number of quantization channels (1 for a per-tensor kernel). */
  public static int channels(ConstTensor k, WeightQuant spec) {
    return spec.perChannel() ? k.channelCount(spec.channelAxis(), spec.multiplierAxis()) : 1;
  }

  /** Per-channel max |w|, as the converter's range. */
  public static float[] absMax(ConstTensor k, WeightQuant spec) {
    float[] m = new float[channels(k, spec)];
    for (int i = 0; i < k.values().length; i++) {
      int c = channel(k, i, spec);
      m[c] = Math.max(m[c], Math.abs(k.values()[i]));
    }
    return m;
  }

  /** Per-channel scales {@code bound / 127}. */
  public static float[] scales(ConstTensor k, WeightQuant spec) {
    float[] b = FakeQuantMath.symmetricBounds(absMax(k, spec));
    float[] s = new float[b.length];
    for (int c = 0; c < s.length; c++) {
      s[c] = b[c] / QMAX;
    }
    return s;
  }

  /** {@code clamp(round(w / s), -127, 127)}. */
  public static int quantize(float w, float scale) {
    float q = stdRound(w / scale);
    return (int) Math.max(-QMAX, Math.min(QMAX, q));
  }

  /** The kernel as the converter's int8 weights dequantize: {@code s_c * q}. */
  public static float[] dequantized(ConstTensor k, WeightQuant spec) {
    float[] s = scales(k, spec);
    float[] out = new float[k.values().length];
    for (int i = 0; i < out.length; i++) {
      float sc = s[channel(k, i, spec)];
      out[i] = quantize(k.values()[i], sc) * sc;
    }
    return out;
  }

  /** C's {@code std::round}: halves away from zero. */
  static float stdRound(float v) {
    return v < 0 ? -(float) Math.floor(-v + 0.5f) : (float) Math.floor(v + 0.5f);
  }
}
