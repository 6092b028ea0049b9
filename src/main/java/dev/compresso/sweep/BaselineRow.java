package dev.compresso.sweep;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.Map;

/**
 * The source model as the user has it: the first row of a sweep's report, against which every cell's
 * size and memory read as ratios.
 *
 * @param savedModelBytes the source as given: the SavedModel folder's bytes ({@code saved_model.pb} and {@code
 *     variables/}, optimizer slots included) or the Keras file's
 * @param variablesBytes the {@code variables/} bytes alone
 * @param peakRssBytes peak RSS of a TF Java process serving it, 1 thread
 * @param latencyMs1 TF Java median latency at 1 thread, batch 1
 * @param latencyMsT TF Java median latency at {@code threads} threads
 * @param threads the second thread count
 * @param loss the task loss on the test samples
 * @param lossName which loss
 * @param metric the first task metric
 * @param metricName which metric
 * @param sourceKind what {@code savedModelBytes} measured: {@code SavedModel folder}, {@code .keras file}, ...
 * @param parameters the source's inference parameters (what {@code inspect} counts)
 * @param inferenceBytes those parameters as float32: the size "x smaller" is against
 * @param samples how many samples were scored
 * @param testSet which samples
 * @param latencyUnstable why a latency (either thread count) is not to be trusted, or empty
 */
public record BaselineRow(long savedModelBytes, long variablesBytes, long peakRssBytes, double latencyMs1,
    double latencyMsT, int threads, double loss, String lossName, double metric, String metricName,
    String sourceKind, long parameters, long inferenceBytes, int samples, String testSet, String latencyUnstable) {

  public BaselineRow {
    sourceKind = sourceKind == null ? "SavedModel folder" : sourceKind;
    testSet = testSet == null ? "" : testSet;
    latencyUnstable = latencyUnstable == null ? "" : latencyUnstable;
  }

  /** Reads {@link dev.compresso.validate.SourceMeasurement#toJson}, scored on {@code testSet}. */
  public static BaselineRow of(JsonObject m, String testSet) {
    JsonObject q = m.getAsJsonObject("quality");
    Map.Entry<String, JsonElement> firstMetric = q.getAsJsonObject("metrics").entrySet().iterator().next();
    var runs = m.getAsJsonArray("runs");
    JsonObject first = runs.get(0).getAsJsonObject();
    JsonObject last = runs.get(runs.size() - 1).getAsJsonObject();
    JsonObject sizes = m.getAsJsonObject("sizes");
    return new BaselineRow(sizes.get("saved_model_total_bytes").getAsLong(), sizes.get("variables_bytes").getAsLong(),
        first.get("peak_rss_bytes").getAsLong(), first.get("median_ms").getAsDouble(),
        last.get("median_ms").getAsDouble(), last.get("threads").getAsInt(), q.get("loss_value").getAsDouble(),
        q.get("loss").getAsString(), firstMetric.getValue().getAsDouble(), firstMetric.getKey(),
        sizes.get("kind").getAsString(), sizes.get("parameters").getAsLong(),
        sizes.get("inference_fp32_bytes").getAsLong(), m.get("samples").getAsInt(), testSet,
        unstable(runs));
  }

  private static String unstable(com.google.gson.JsonArray runs) {
    java.util.List<String> why = new java.util.ArrayList<>();
    for (JsonElement e : runs) {
      JsonObject r = e.getAsJsonObject();
      if (r.has("unstable") && !r.get("unstable").getAsString().isEmpty()) {
        why.add(r.get("threads").getAsInt() + "t: " + r.get("unstable").getAsString());
      }
    }
    return String.join("; ", why);
  }

  /** How many times smaller {@code bytes} are than the source's fp32 inference weights: the headline. */
  public double timesSmaller(long bytes) {
    return inferenceBytes > 0 ? (double) inferenceBytes / bytes : Double.NaN;
  }

  /** How many times smaller {@code bytes} are than the source file or folder as given. */
  public double timesSmallerThanFile(long bytes) {
    return (double) savedModelBytes / bytes;
  }

  /** How many times less peak memory {@code rssBytes} are than TF Java serving the SavedModel. */
  public double timesLessRam(long rssBytes) {
    return (double) peakRssBytes / rssBytes;
  }
}
