package dev.compresso.quant;

import dev.compresso.data.Dataset;
import java.util.Locale;
import java.util.Optional;

/**
 * Whether one int8 scale can hold a model's input: int8 quantizes the input per tensor, one step for every
 * feature, so raw features of very different scales (a Keras {@code Normalization} first layer over tabular
 * data: breast-cancer's features run from 0.001 to 4,254) lose the small ones entirely; the int8 model then
 * predicts one class whatever the method (bench/ptq's {@code tabular_raw}: accuracy 0.87 float, 0.25 int8). Said
 * before the file is written, with the remedy, instead of left for validate to find.
 */
public final class InputSpread {

  /** The warning applies when more than this share of the features vary by less than one int8 step. */
  static final double SHARE = 0.5;

  private InputSpread() {}

  /**
   * A warning when the int8 step of {@code data}'s inputs (their min/max range over 255) exceeds the standard
   * deviation of more than half of the features (the last axis; at least 2 of them); empty otherwise.
   */
  public static Optional<String> warning(Dataset data) {
    float[] x = data.inputs();
    long[] shape = data.inputShape();
    int features = shape.length == 0 ? 1 : (int) shape[shape.length - 1];
    if (features < 2 || x.length < 2L * features) {
      return Optional.empty();
    }
    double min = Double.POSITIVE_INFINITY;
    double max = Double.NEGATIVE_INFINITY;
    double[] sum = new double[features];
    double[] sq = new double[features];
    for (int i = 0; i < x.length; i++) {
      double v = x[i];
      min = Math.min(min, v);
      max = Math.max(max, v);
      sum[i % features] += v;
      sq[i % features] += v * v;
    }
    long n = x.length / features;
    double step = (max - min) / 255;
    int below = 0;
    for (int f = 0; f < features; f++) {
      double mean = sum[f] / n;
      double sd = Math.sqrt(Math.max(0, sq[f] / n - mean * mean));
      below += sd < step ? 1 : 0;
    }
    if (below <= SHARE * features) {
      return Optional.empty();
    }
    return Optional.of(String.format(Locale.ROOT, "warning: the int8 input has one scale for all %d input features, "
        + "a step of %.4g over [%.4g, %.4g], coarser than the spread (standard deviation) of %d of them: the int8 "
        + "model cannot tell their values apart. Standardize the features before the model (so that its input "
        + "has one scale), or convert with --precision fp16 or dynamic", features, step, min, max, below));
  }
}
