package dev.compresso.validate;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.compresso.BadInputException;
import dev.compresso.data.DataSources;
import dev.compresso.data.Dataset;
import dev.compresso.data.SampleSource;
import dev.compresso.model.DiskUsage;
import dev.compresso.tflite.InterpreterOptions;
import dev.compresso.train.metric.TaskKind;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The source model measured as its user has it, before any compression: its bytes on disk (a SavedModel's
 * parts, or a Keras file), the peak RSS and latency of a TF Java process serving it (in {@link ModelProbe}
 * children, at 1 and T threads, as {@link Validator} measures a reference), and its loss and metrics on
 * the samples. A sweep's baseline row, against which every cell reads as "x times smaller, x times less
 * memory".
 *
 * @param model the SavedModel directory or Keras file
 * @param samples how many samples were scored
 * @param task the task inferred from the targets
 * @param quality loss and metrics on those samples
 * @param runs the probes, 1 thread first
 * @param size the model as given (its bytes on disk) and as inference weights
 */
public record SourceMeasurement(Path model, int samples, TaskKind task, ModelQuality quality, List<ProbeResult> runs,
    ReferenceSize size) {

  public SourceMeasurement {
    runs = List.copyOf(runs);
  }

  /**
   * Measures {@code model} through {@code signature} on the first {@code samples} samples of {@code data}.
   *
   * @param progress one line per stage
   */
  public static SourceMeasurement measure(Path model, String signature, String data, int samples, int threads, int runs,
      int warmup, Consumer<String> progress) {
    SampleSource all = DataSources.openSource(data);
    return measure(model, signature, all.head(samples), all.source(), threads, runs, warmup, progress);
  }

  /**
   * Measures {@code model} on exactly the samples {@code d} (a sweep's scored set), named {@code testSet} in
   * messages.
   */
  public static SourceMeasurement measure(Path model, String signature, Dataset d, String testSet, int threads,
      int runs, int warmup, Consumer<String> progress) {
    progress.accept("baseline: scoring " + model + " on " + d.size() + " sample(s) of " + testSet);
    ModelQuality quality;
    // The loss and metrics validate scores every .tflite with (a compile config's from_logits, a logits output):
    // inferred from the targets alone, a logits classifier's cross-entropy came out as if its logits were
    // probabilities (9.1 for a MobileNetV3 whose validate rows said 0.26).
    dev.compresso.train.task.ModelTask resolved = Validator.task(model, signature, d, progress);
    TaskKind task = resolved == null ? TaskKind.infer(d.targetShape(), d.targets()) : resolved.kind();
    dev.compresso.train.loss.Loss loss = resolved == null ? task.loss() : resolved.loss();
    List<dev.compresso.train.metric.Metric> metrics = resolved == null ? task.metrics() : resolved.metricsOfOutputs();
    try (ReferenceModel ref = ReferenceModel.open(model, signature, 1)) {
      long[] shape = new long[d.inputShape().length + 1];
      shape[0] = 1;
      System.arraycopy(d.inputShape(), 0, shape, 1, d.inputShape().length);
      int xPer = (int) Dataset.elements(d.inputShape());
      int yPer = (int) Dataset.elements(d.targetShape());
      float[] pred = new float[d.size() * yPer];
      int target = -1;
      for (int s = 0; s < d.size(); s++) {
        float[][] out = ref.run(Arrays.copyOfRange(d.inputs(), s * xPer, (s + 1) * xPer), shape);
        if (target < 0) {
          target = targetOutput(out, yPer, model, ref, d);
        }
        System.arraycopy(out[target], 0, pred, s * yPer, yPer);
      }
      quality = ModelQuality.score(loss, metrics, d.targets(), pred, d.allTargetsShape());
    }
    List<ProbeResult> probes = new ArrayList<>();
    for (int t : threads == 1 ? List.of(1) : List.of(1, threads)) {
      progress.accept("baseline: timing " + model + " in TF Java at " + t + " thread(s), in a child process");
      probes.add(ChildProbe.run(new ProbeSpec(ProbeSpec.Runtime.TENSORFLOW, model, signature, t, runs, warmup,
          InterpreterOptions.Kernels.XNNPACK)));
    }
    return new SourceMeasurement(model, d.size(), task, quality, probes, ReferenceSize.of(model, signature));
  }

  private static int targetOutput(float[][] out, int yPer, Path model, ReferenceModel ref, Dataset d) {
    for (int o = 0; o < out.length; o++) {
      if (out[o].length == yPer) {
        return o;
      }
    }
    throw new BadInputException("data " + d.source() + " has targets of shape " + Arrays.toString(d.targetShape())
        + " per sample, but no output of " + model + " " + ref.outputKeys() + " has " + yPer + " values per sample");
  }

  /** Peak RSS of the TF Java process at 1 thread. */
  public long peakRssBytes() {
    return runs.get(0).peakRssBytes();
  }

  /** As JSON (snake_case keys, bytes and milliseconds). */
  public JsonObject toJson() {
    JsonObject o = new JsonObject();
    o.addProperty("model", model.toString());
    o.addProperty("samples", samples);
    o.addProperty("task", task.name().toLowerCase());
    JsonObject q = new JsonObject();
    q.addProperty("loss", quality.loss());
    q.addProperty("loss_value", quality.lossValue());
    JsonObject m = new JsonObject();
    for (Map.Entry<String, Double> e : quality.metrics().entrySet()) {
      m.addProperty(e.getKey(), e.getValue());
    }
    q.add("metrics", m);
    o.add("quality", q);
    JsonArray a = new JsonArray();
    runs.forEach(r -> a.add(r.toJson()));
    o.add("runs", a);
    JsonObject s = new JsonObject();
    DiskUsage sizes = size.disk();
    s.addProperty("kind", size.kind());
    s.addProperty("parameters", size.parameters());
    s.addProperty("inference_fp32_bytes", size.inferenceBytes());
    s.addProperty("saved_model_total_bytes", sizes.total());
    s.addProperty("variables_bytes", sizes.variables());
    s.addProperty("saved_model_pb_bytes", sizes.savedModelPb());
    o.add("sizes", s);
    return o;
  }
}
