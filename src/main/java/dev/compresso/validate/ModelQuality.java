package dev.compresso.validate;

import dev.compresso.train.loss.Loss;
import dev.compresso.train.metric.Metric;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A model's loss and task metrics on the validation samples (the task's defaults, {@link
 * dev.compresso.train.metric.TaskKind}), computed in plain Java from its predictions.
 *
 * @param loss the loss's registered name
 * @param lossValue the mean per-sample loss
 * @param metrics metric name to mean per-sample value, the headline metric first
 */
public record ModelQuality(String loss, double lossValue, Map<String, Double> metrics) {

  public ModelQuality {
    metrics = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(metrics));
  }

  /** Scores predictions {@code yPred} against {@code yTrue}, both of shape {@code shape} ({@code [N, ...]}). */
  static ModelQuality score(Loss loss, List<Metric> metrics, float[] yTrue, float[] yPred, long[] shape) {
    Map<String, Double> values = new LinkedHashMap<>();
    for (Metric m : metrics) {
      values.put(m.name(), m.mean(yTrue, yPred, shape));
    }
    return new ModelQuality(loss.name(), loss.mean(yTrue, yPred, shape), values);
  }
}
