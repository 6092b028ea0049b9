package dev.compresso.sweep;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.Map;

/**
 * One cell of a sweep, read from what its steps wrote: the validate JSON and, for a pruned cell, the
 * prune report.
 *
 * @param sparsity target sparsity (0 for the dense model)
 * @param achievedSparsity zeros over all parameters of the cell's SavedModel (0 when dense)
 * @param precision fp32, fp16, dynamic or int8
 * @param tfliteBytes .tflite size
 * @param gzipBytes .tflite gzip -9 size
 * @param tflitePeakRssBytes peak RSS serving the .tflite, 1 thread
 * @param referencePeakRssBytes peak RSS serving the cell's SavedModel in TF Java, 1 thread
 * @param latencyMs1 .tflite median latency at 1 thread
 * @param latencyMsT .tflite median latency at {@code threads} threads
 * @param referenceLatencyMs1 TF Java median latency at 1 thread
 * @param threads the second thread count
 * @param loss the task loss of the .tflite
 * @param referenceLoss the task loss of the cell's SavedModel on the same samples
 * @param lossName which loss
 * @param metric the first task metric of the .tflite
 * @param metricName which metric
 * @param maxAbsError largest |tflite - reference| over the outputs
 * @param referenceVariablesBytes the cell's SavedModel variables bytes
 * @param io the I/O type of an integer model ({@code float} otherwise)
 * @param edgeTpu the Edge TPU check's verdict for integer models ({@code ""} for float ones)
 * @param edgeTpuOpShare the share of operators that map to the Edge TPU (NaN for float models)
 * @param quantBoundaries QUANTIZE/DEQUANTIZE ops inside the graph (validate's {@code quant_boundaries})
 * @param granularity how the cell pruned ({@code prune --granularity} spelling; null in rows written before
 *     sweeps had a granularity axis: unstructured)
 * @param clusters the values per kernel the cell clustered to; 0: not clustered
 * @param floatIslands float islands (DEQUANTIZE, float ops, QUANTIZE) inside the graph
 * @param requantizeOps int8-to-int8 QUANTIZE ops
 * @param samples how many samples were scored
 * @param testSet which samples
 * @param latencyUnstable why a latency of the .tflite is not to be trusted (either thread count), or empty
 * @param ptq the post-training methods of a calibrated variant ({@link Variant#ptq}; null in rows written
 *     before sweeps had PTQ methods: none)
 * @param keepFloat the graph nodes the conversion kept in float (empty; null in rows written before variants
 *     had them)
 */
public record SweepRow(double sparsity, double achievedSparsity, String precision, long tfliteBytes, long gzipBytes,
    long tflitePeakRssBytes, long referencePeakRssBytes, double latencyMs1, double latencyMsT,
    double referenceLatencyMs1, int threads, double loss, double referenceLoss, String lossName, double metric,
    String metricName, double maxAbsError, long referenceVariablesBytes, String io, String edgeTpu,
    double edgeTpuOpShare, int quantBoundaries, String granularity, int clusters, int floatIslands,
    int requantizeOps, int samples, String testSet, String latencyUnstable,
    String ptq,
    java.util.List<String> keepFloat) {

  public SweepRow {
    ptq = ptq == null ? dev.compresso.ptq.PtqMethods.NONE : ptq;
    keepFloat = keepFloat == null ? java.util.List.of() : java.util.List.copyOf(keepFloat);
    granularity = granularity == null ? Cell.UNSTRUCTURED : granularity;
    testSet = testSet == null ? "" : testSet;
    latencyUnstable = latencyUnstable == null ? "" : latencyUnstable;
  }

  /** A row without PTQ methods or kept-float nodes. */
  public SweepRow(double sparsity, double achievedSparsity, String precision, long tfliteBytes, long gzipBytes,
      long tflitePeakRssBytes, long referencePeakRssBytes, double latencyMs1, double latencyMsT,
      double referenceLatencyMs1, int threads, double loss, double referenceLoss, String lossName, double metric,
      String metricName, double maxAbsError, long referenceVariablesBytes, String io, String edgeTpu,
      double edgeTpuOpShare, int quantBoundaries, String granularity, int clusters, int floatIslands,
      int requantizeOps, int samples, String testSet, String latencyUnstable) {
    this(sparsity, achievedSparsity, precision, tfliteBytes, gzipBytes, tflitePeakRssBytes, referencePeakRssBytes,
        latencyMs1, latencyMsT, referenceLatencyMs1, threads, loss, referenceLoss, lossName, metric, metricName,
        maxAbsError, referenceVariablesBytes, io, edgeTpu, edgeTpuOpShare, quantBoundaries, granularity, clusters,
        floatIslands, requantizeOps, samples, testSet, latencyUnstable, dev.compresso.ptq.PtqMethods.NONE,
        java.util.List.of());
  }

  /** The conversion that made this row ({@link Variant}). */
  public Variant variant() {
    return Variant.parse(precision, dev.compresso.tflite.convert.IoType.parse(io)).withPtq(ptq)
        .withKeepFloat(new java.util.TreeSet<>(keepFloat));
  }

  /** The precision as reports show it, with the I/O type and PTQ methods: {@code int8 (uint8 I/O, ptq bias)}. */
  public String precisionLabel() {
    return Variant.label(precision, io, ptq);
  }

  /** Whether the row is a plain pruned (or dense) model: unstructured, not clustered, no node kept float. */
  public boolean plain() {
    return granularity.equals(Cell.UNSTRUCTURED) && clusters == 0 && keepFloat.isEmpty();
  }

  /**
   * How the cell compressed besides its sparsity, e.g. {@code 2:4 + 16 clusters} (and the nodes kept in float,
   * {@code float dense/MatMul}); empty for a plain row.
   */
  public String recipe() {
    String g = granularity.equals(Cell.UNSTRUCTURED) ? "" : granularity;
    String k = clusters == 0 ? "" : clusters + " clusters";
    String r = g.isEmpty() || k.isEmpty() ? g + k : g + " + " + k;
    if (!keepFloat.isEmpty()) {
      r += (r.isEmpty() ? "" : ", ") + "float " + String.join(",", keepFloat);
    }
    return r;
  }

  /**
   * Builds a row from a cell's validate JSON ({@link dev.compresso.validate.ValidationResult#toJson}), its
   * achieved sparsity and, for integer models, the Edge TPU verdict and op share (null and NaN otherwise).
   */
  public static SweepRow of(Cell cell, double achievedSparsity, Variant variant, JsonObject v, String edgeTpu,
      double edgeTpuOpShare) {
    double sparsity = cell.sparsity();
    String precision = variant.name();
    JsonObject sizes = v.getAsJsonObject("sizes");
    JsonObject rss = v.getAsJsonObject("peak_rss");
    JsonObject q = v.getAsJsonObject("quality");
    JsonObject tq = q.getAsJsonObject("tflite");
    JsonObject rq = q.getAsJsonObject("reference");
    Map.Entry<String, JsonElement> firstMetric = tq.getAsJsonObject("metrics").entrySet().iterator().next();
    JsonArray tRuns = v.getAsJsonObject("runs").getAsJsonArray("tflite");
    JsonArray rRuns = v.getAsJsonObject("runs").getAsJsonArray("reference");
    JsonObject last = tRuns.get(tRuns.size() - 1).getAsJsonObject();
    double maxAbs = 0;
    for (JsonElement e : v.getAsJsonArray("output_errors")) {
      maxAbs = Math.max(maxAbs, e.getAsJsonObject().get("max_abs").getAsDouble());
    }
    return new SweepRow(sparsity, achievedSparsity, precision, sizes.get("tflite_bytes").getAsLong(),
        sizes.get("tflite_gzip9_bytes").getAsLong(), rss.get("tflite_peak_rss_bytes").getAsLong(),
        rss.get("reference_peak_rss_bytes").getAsLong(), tRuns.get(0).getAsJsonObject().get("median_ms").getAsDouble(),
        last.get("median_ms").getAsDouble(), rRuns.get(0).getAsJsonObject().get("median_ms").getAsDouble(),
        last.get("threads").getAsInt(), tq.get("loss_value").getAsDouble(), rq.get("loss_value").getAsDouble(),
        tq.get("loss").getAsString(), firstMetric.getValue().getAsDouble(), firstMetric.getKey(), maxAbs,
        sizes.get("reference_variables_bytes").getAsLong(), variant.io().cliName(), edgeTpu == null ? "" : edgeTpu,
        edgeTpuOpShare, v.has("quant_boundaries") ? v.get("quant_boundaries").getAsInt() : 0, cell.granularity(),
        cell.clusters(), v.has("float_islands") ? v.getAsJsonArray("float_islands").size() : 0,
        v.has("requantize_ops") ? v.getAsJsonArray("requantize_ops").size() : 0, v.get("samples").getAsInt(),
        v.get("data").getAsString(), unstable(tRuns), variant.ptq(),
        variant.keepFloat().stream().sorted().toList());
  }

  private static String unstable(JsonArray runs) {
    java.util.List<String> why = new java.util.ArrayList<>();
    for (JsonElement e : runs) {
      JsonObject r = e.getAsJsonObject();
      if (r.has("unstable") && !r.get("unstable").getAsString().isEmpty()) {
        why.add(r.get("threads").getAsInt() + "t: " + r.get("unstable").getAsString());
      }
    }
    return String.join("; ", why);
  }
}
