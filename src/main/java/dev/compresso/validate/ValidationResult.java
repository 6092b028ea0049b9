package dev.compresso.validate;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.compresso.diagnose.QuantBoundaries;
import dev.compresso.train.metric.TaskKind;
import java.util.List;
import java.util.Map;

/**
 * What {@link Validator#validate} measured.
 *
 * @param request what was asked
 * @param samples how many samples were compared
 * @param task the task inferred from the targets, which chose the loss and metrics
 * @param tfliteQuality the .tflite's loss and metrics
 * @param referenceQuality the reference's loss and metrics on the same samples
 * @param errors per output, .tflite against reference
 * @param tfliteRuns the .tflite's probes, at 1 thread first, then at {@code request.threads()} if not 1
 * @param referenceRuns the reference's probes, in the same order
 * @param sizes bytes on disk
 * @param boundaries the .tflite's float islands (DEQUANTIZE, float ops, QUANTIZE between integer ops) and
 *     requantize ops (int8 to int8 QUANTIZE), {@link dev.compresso.diagnose.QuantBoundaries}
 */
public record ValidationResult(ValidationRequest request, int samples, TaskKind task, ModelQuality tfliteQuality,
    ModelQuality referenceQuality, List<OutputError> errors, List<ProbeResult> tfliteRuns,
    List<ProbeResult> referenceRuns, ModelSizes sizes, QuantBoundaries.Summary boundaries) {

  public ValidationResult {
    errors = List.copyOf(errors);
    tfliteRuns = List.copyOf(tfliteRuns);
    referenceRuns = List.copyOf(referenceRuns);
  }

  /** QUANTIZE/DEQUANTIZE ops of the float islands; 0 for a fully integer or float model. */
  public int quantBoundaries() {
    return boundaries.islandBoundaries();
  }

  /** Peak RSS of the process serving the .tflite at 1 thread. */
  public long tflitePeakRssBytes() {
    return tfliteRuns.get(0).peakRssBytes();
  }

  /** Peak RSS of the process serving the reference at 1 thread. */
  public long referencePeakRssBytes() {
    return referenceRuns.get(0).peakRssBytes();
  }

  /** The largest absolute difference over every output. */
  public double maxAbsError() {
    return errors.stream().mapToDouble(OutputError::maxAbs).max().orElse(0);
  }

  /** The result as one JSON object (snake_case keys, bytes and milliseconds). */
  public JsonObject toJson() {
    JsonObject root = new JsonObject();
    root.addProperty("tflite", request.tflite().toString());
    root.addProperty("reference", request.reference().toString());
    root.addProperty("signature", request.signature());
    root.addProperty("data", request.data());
    root.addProperty("samples", samples);
    root.addProperty("task", task.name().toLowerCase());
    root.addProperty("kernels", request.kernels().name());
    JsonObject quality = new JsonObject();
    quality.add("tflite", quality(tfliteQuality));
    quality.add("reference", quality(referenceQuality));
    root.add("quality", quality);
    JsonArray errs = new JsonArray();
    for (OutputError e : errors) {
      JsonObject o = new JsonObject();
      o.addProperty("output", e.tfliteName());
      o.addProperty("reference_output", e.referenceName());
      o.addProperty("values", e.values());
      o.addProperty("max_abs", e.maxAbs());
      o.addProperty("mean_abs", e.meanAbs());
      errs.add(o);
    }
    root.add("output_errors", errs);
    JsonObject latency = new JsonObject();
    latency.add("tflite", runs(tfliteRuns));
    latency.add("reference", runs(referenceRuns));
    latency.addProperty("warmup", request.warmup());
    root.add("runs", latency);
    JsonObject memory = new JsonObject();
    memory.addProperty("tflite_peak_rss_bytes", tflitePeakRssBytes());
    memory.addProperty("reference_peak_rss_bytes", referencePeakRssBytes());
    memory.addProperty("ratio", (double) tflitePeakRssBytes() / referencePeakRssBytes());
    memory.addProperty("threads", 1);
    root.add("peak_rss", memory);
    JsonObject size = new JsonObject();
    size.addProperty("tflite_bytes", sizes.tfliteBytes());
    size.addProperty("tflite_gzip9_bytes", sizes.tfliteGzipBytes());
    size.add("tflite_zstd19_bytes", com.google.gson.JsonNull.INSTANCE);
    size.addProperty("zstd_note", "not measured: no pure-Java zstd compressor offers level 19");
    size.addProperty("reference_total_bytes", sizes.reference().total());
    size.addProperty("reference_variables_bytes", sizes.reference().variables());
    size.addProperty("reference_saved_model_pb_bytes", sizes.reference().savedModelPb());
    size.addProperty("reference_kind", sizes.referenceSize().kind());
    size.addProperty("reference_file_bytes", sizes.referenceSize().fileBytes());
    size.addProperty("reference_parameters", sizes.referenceSize().parameters());
    size.addProperty("reference_inference_fp32_bytes", sizes.referenceSize().inferenceBytes());
    size.addProperty("times_smaller_than_inference_weights", sizes.timesSmallerThanWeights());
    size.addProperty("times_smaller_than_file", sizes.timesSmallerThanFile());
    root.add("sizes", size);
    root.addProperty("quant_boundaries", quantBoundaries());
    JsonArray islands = new JsonArray();
    boundaries.islandNames().forEach(islands::add);
    root.add("float_islands", islands);
    JsonArray requantize = new JsonArray();
    for (QuantBoundaries.Requantize q : boundaries.requantize()) {
      JsonObject o = new JsonObject();
      o.addProperty("operator", q.operator());
      o.addProperty("input", q.input());
      o.addProperty("output", q.output());
      o.addProperty("io", q.io());
      requantize.add(o);
    }
    root.add("requantize_ops", requantize);
    return root;
  }

  private static JsonObject quality(ModelQuality q) {
    JsonObject o = new JsonObject();
    o.addProperty("loss", q.loss());
    o.addProperty("loss_value", q.lossValue());
    JsonObject m = new JsonObject();
    for (Map.Entry<String, Double> e : q.metrics().entrySet()) {
      m.addProperty(e.getKey(), e.getValue());
    }
    o.add("metrics", m);
    return o;
  }

  private static JsonArray runs(List<ProbeResult> probes) {
    JsonArray a = new JsonArray();
    probes.forEach(p -> a.add(p.toJson()));
    return a;
  }
}
