package dev.compresso.quant;

import dev.compresso.data.Dataset;
import dev.compresso.model.FrozenGraph;
import java.util.Map;

/**
 * Post-training methods plugged into {@link Calibration} (the {@code dev.compresso.ptq} methods implement
 * it): they change the float constants of the frozen graph after constant folding and concat equalization,
 * and may choose the activation ranges, before FakeQuant insertion; the official converter then writes the
 * int8 model from the result (it stays the only writer of int8).
 */
public interface CalibrationHook {

  /** No change: TFLite's min/max calibration. */
  CalibrationHook NONE = new CalibrationHook() {};

  /**
   * Rewrites float constants (kernels, biases) of {@code graph}, which is planned as {@code plan}.
   *
   * @param data the calibration samples (the first {@code samples} are used)
   * @return the graph to measure ranges on; {@code graph} itself when nothing changed
   */
  default FrozenGraph beforeRanges(FrozenGraph graph, QuantPlan plan, Dataset data, int samples) {
    return graph;
  }

  /**
   * The activation range {@code {min, max}} per measured node; the default is the min/max of the
   * calibration data (TFLite's own calibrator). Called once, after {@link #beforeRanges}.
   *
   * @param minMax the per-channel min/max over the calibration samples, per measured node
   */
  default Map<String, float[]> ranges(FrozenGraph graph, QuantPlan plan, Map<String, RangeTracker> minMax,
      Dataset data, int samples) {
    Map<String, float[]> out = new java.util.LinkedHashMap<>();
    minMax.forEach((node, t) -> out.put(node, new float[] {t.min(), t.max()}));
    return out;
  }
}
