package dev.compresso.report;

import com.google.gson.GsonBuilder;
import dev.compresso.CompressoException;
import dev.compresso.sweep.ArticleClaims;
import dev.compresso.sweep.BaselineRow;
import dev.compresso.sweep.Presets;
import dev.compresso.sweep.SweepConfig;
import dev.compresso.sweep.SweepResults;
import dev.compresso.sweep.SweepRow;
import dev.compresso.io.AtomicOutput;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Writes a sweep's results: {@code results.csv}, {@code results.json} (the model cells' rows), {@code
 * baseline.json} (the source model's row), {@code report.md} with the table (the baseline first, then
 * every cell with its size and memory as "x times smaller / less RAM" than the baseline) and PNG plots
 * (size vs sparsity per precision, loss vs compressed size, latency per precision).
 */
public final class SweepReport {

  public static final String CSV = "results.csv";
  public static final String JSON = "results.json";
  public static final String MARKDOWN = "report.md";
  public static final String BASELINE = "baseline.json";

  private SweepReport() {}

  /** Writes every file into the sweep folder and returns the markdown. */
  public static String write(SweepResults results) {
    SweepConfig config = results.config();
    List<SweepRow> rows = results.rows();
    Path out = config.out();
    AtomicOutput.writeFile(out.resolve(CSV), csv(rows));
    var gson = new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues().create();
    AtomicOutput.writeFile(out.resolve(JSON), gson.toJson(rows));
    if (results.baseline() != null) {
      AtomicOutput.writeFile(out.resolve(BASELINE), gson.toJson(results.baseline()));
    }
    List<String> plots = plots(out, rows);
    String md = markdown(results, plots);
    AtomicOutput.writeFile(out.resolve(MARKDOWN), md);
    return md;
  }

  static String csv(List<SweepRow> rows) {
    StringBuilder sb = new StringBuilder("sparsity,achieved_sparsity,precision,tflite_bytes,gzip_bytes,"
        + "tflite_peak_rss_bytes,reference_peak_rss_bytes,latency_ms_1t,latency_ms_nt,threads,reference_latency_ms_1t,"
        + "loss_name,loss,reference_loss,metric_name,metric,max_abs_error,reference_variables_bytes,io,edgetpu_op_share,"
        + "edgetpu,quant_boundaries,granularity,clusters,float_islands,requantize_ops,samples,latency_unstable,ptq\n");
    for (SweepRow r : rows) {
      sb.append(String.format(Locale.ROOT, "%.2f,%.4f,%s,%d,%d,%d,%d,%.3f,%.3f,%d,%.3f,%s,%.6f,%.6f,%s,%.6f,%.6g,%d,%s,%.4f,\"%s\",%d,%s,%d,%d,%d,%d,\"%s\",%s%n",
          r.sparsity(), r.achievedSparsity(), r.precision(), r.tfliteBytes(), r.gzipBytes(), r.tflitePeakRssBytes(),
          r.referencePeakRssBytes(), r.latencyMs1(), r.latencyMsT(), r.threads(), r.referenceLatencyMs1(),
          r.lossName(), r.loss(), r.referenceLoss(), r.metricName(), r.metric(), r.maxAbsError(),
          r.referenceVariablesBytes(), r.io(), r.edgeTpuOpShare(), r.edgeTpu().replace("\"", "'"), r.quantBoundaries(),
          r.granularity(), r.clusters(), r.floatIslands(), r.requantizeOps(), r.samples(),
          r.latencyUnstable().replace("\"", "'"), r.ptq()));
    }
    return sb.toString();
  }

  /**
   * The plain table printed on stdout and put in the report: the baseline (the source SavedModel in TF
   * Java) first when measured, then every cell with its size and peak RSS against it.
   */
  public static String table(BaselineRow baseline, List<SweepRow> rows) {
    StringBuilder sb = new StringBuilder();
    String loss = baseline != null ? baseline.lossName() : rows.isEmpty() ? "loss" : rows.get(0).lossName();
    String metric = baseline != null ? baseline.metricName() : rows.isEmpty() ? "metric" : rows.get(0).metricName();
    int threads = rows.isEmpty() ? baseline == null ? 2 : baseline.threads() : rows.get(0).threads();
    sb.append(String.format("| sparsity | precision | bytes | gzip bytes | x smaller (weights) | x smaller (file) "
        + "| peak RSS MB | x less RAM | latency ms (1t) | latency ms (%dt) | TF Java RSS MB | TF Java ms (1t) | %s | %s "
        + "| Edge TPU | float islands / requantize |%n", threads, loss, metric));
    sb.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
    if (baseline != null) {
      sb.append(String.format(Locale.ROOT, "| source | %s (%,d parameters, fp32 %,d B) | %,d | | 1.00 | 1.00 | %.1f | 1.00 "
          + "| %.2f%s | %.2f%s | %.1f | %.2f | %.4f | %.4f | | |%n", baseline.sourceKind(), baseline.parameters(),
          baseline.inferenceBytes(), baseline.savedModelBytes(), baseline.peakRssBytes() / 1048576.0,
          baseline.latencyMs1(), baseline.latencyUnstable().isEmpty() ? "" : " *", baseline.latencyMsT(),
          baseline.latencyUnstable().isEmpty() ? "" : " *",
          baseline.peakRssBytes() / 1048576.0, baseline.latencyMs1(), baseline.loss(), baseline.metric()));
    }
    for (SweepRow r : rows) {
      String smaller = baseline == null ? "" : String.format(Locale.ROOT, "%.2f", baseline.timesSmaller(r.tfliteBytes()));
      String smallerFile = baseline == null ? "" : String.format(Locale.ROOT, "%.2f",
          baseline.timesSmallerThanFile(r.tfliteBytes()));
      String star = r.latencyUnstable().isEmpty() ? "" : " *";
      String lessRam = baseline == null ? "" : String.format(Locale.ROOT, "%.2f",
          baseline.timesLessRam(r.tflitePeakRssBytes()));
      String precision = r.precisionLabel();
      String edge = r.edgeTpu().isEmpty() ? "" : String.format(Locale.ROOT, "%.0f%% of ops", 100 * r.edgeTpuOpShare());
      String recipe = r.plain() ? "" : " " + r.recipe();
      sb.append(String.format(Locale.ROOT, "| %.2f (%.3f)%s | %s | %,d | %,d | %s | %s | %.1f | %s | %.2f%s | %.2f%s | %.1f "
          + "| %.2f | %.4f | %.4f | %s | %d / %d |%n", r.sparsity(), r.achievedSparsity(), recipe, precision, r.tfliteBytes(),
          r.gzipBytes(), smaller, smallerFile, r.tflitePeakRssBytes() / 1048576.0, lessRam, r.latencyMs1(), star,
          r.latencyMsT(), star, r.referencePeakRssBytes() / 1048576.0, r.referenceLatencyMs1(), r.loss(), r.metric(), edge,
          r.floatIslands(), r.requantizeOps()));
    }
    return sb.toString();
  }

  /**
   * The article's claims next to what the run measured ({@link ArticleClaims}), as a markdown table; empty
   * unless the sweep is the article's preset.
   */
  public static String claims(SweepResults results) {
    if (!Presets.ARTICLE.equals(results.config().preset())) {
      return "";
    }
    StringBuilder sb = new StringBuilder("| the article's claim | this run measured | verdict |\n|---|---|---|\n");
    for (ArticleClaims.Claim c : ArticleClaims.evaluate(results.baseline(), results.rows())) {
      sb.append("| ").append(c.claim()).append(" | ").append(c.measured()).append(" | ").append(c.verdict())
          .append(" |\n");
    }
    return sb.toString();
  }

  private static String markdown(SweepResults results, List<String> plots) {
    SweepConfig c = results.config();
    StringBuilder sb = new StringBuilder("# Compresso sweep\n\n");
    sb.append(String.format("Model `%s`; fine-tuning data `%s` (its train part: 80%%), %d epochs (QAT %d), batch %d, "
        + "learning rate %s; scored on %s of %s; latency per call, median of %d timed windows of back-to-back calls "
        + "(each >= %.0f ms) after %d warm-up, batch 1; peak RSS (VmHWM) of a process that loads the model and runs it, "
        + "1 thread.%s%n%n", c.model(), c.data(), c.epochs(), c.qatEpochs(), c.batch(), c.learningRate(),
        scoredCount(results), testSet(results), c.runs(), dev.compresso.validate.LatencyWindows.WINDOW_MS, c.warmup(),
        c.preset().isEmpty() ? "" : " Preset `" + c.preset() + "`."));
    sb.append(String.format("%d of %d cells done.%s%n%n", results.done(), results.plan().cells().size(),
        results.failed().isEmpty() ? "" : " Failed: " + String.join("; ", results.failed()) + "."));
    sb.append("The first row is the source model as it is, served by TF Java. Sparsity is the target, with the "
        + "achieved share of zero parameters in brackets; \"x smaller (weights)\" is the source's inference weights "
        + "(the parameters `inspect` counts, as fp32 bytes; optimizer slots not counted) over the file's bytes, \"x "
        + "smaller (file)\" the source file or folder as given over the file's; \"x less RAM\" TF Java's peak RSS "
        + "serving the source over the interpreter's. A latency marked * is unstable (p10-p90 spread over "
        + Math.round(100 * dev.compresso.validate.LatencyWindows.MAX_SPREAD) + "% of the median, or the machine busy): "
        + "see each cell's validate.json before comparing it. Float islands: DEQUANTIZE -> float ops -> QUANTIZE "
        + "inside the graph; requantize: int8 -> int8 QUANTIZE ops. TF Java columns measure the "
        + "cell's own SavedModel (pruned, float). Edge TPU: the share of operators Coral's rules map (integer "
        + "models).\n\n");
    sb.append(table(results.baseline(), results.rows())).append('\n');
    String claims = claims(results);
    if (!claims.isEmpty()) {
      sb.append("## The article's claims\n\n").append(claims).append('\n');
    }
    for (String p : plots) {
      sb.append(String.format("![%s](%s)%n%n", p.replace(".png", "").replace('_', ' '), p));
    }
    sb.append(String.format("Files: `%s`, `%s`, `%s`; per cell: `s<sparsity>/` holds the pruned SavedModel, the "
        + "QAT SavedModel, each .tflite with its `validate.json` (and `edgetpu.json`), and `cell.json`.%n", CSV, JSON,
        BASELINE));
    return sb.toString();
  }

  /** The exact number of samples scored, from what was scored ("N samples", or each count when they differ). */
  static String scoredCount(SweepResults results) {
    java.util.TreeSet<Integer> counts = new java.util.TreeSet<>();
    if (results.baseline() != null) {
      counts.add(results.baseline().samples());
    }
    results.rows().forEach(r -> counts.add(r.samples()));
    if (counts.isEmpty()) {
      return "(nothing scored yet)";
    }
    return counts.size() == 1 ? counts.first() + " samples" : "differing counts " + counts + " of samples (a cell was "
        + "scored on other data)";
  }

  private static String testSet(SweepResults results) {
    if (results.baseline() != null && !results.baseline().testSet().isEmpty()) {
      return "`" + results.baseline().testSet() + "`";
    }
    if (!results.rows().isEmpty()) {
      return "`" + results.rows().get(0).testSet() + "`";
    }
    SweepConfig c = results.config();
    return c.heldOut() ? "the held-out " + Math.round(100 * dev.compresso.sweep.SweepData.HELD_OUT_FRACTION) + "% of `"
        + c.data() + "`" : "`" + c.testData() + "`";
  }

  private static List<String> plots(Path out, List<SweepRow> rows) {
    Map<String, List<SweepRow>> byPrecision = new LinkedHashMap<>();
    for (SweepRow r : rows) {
      byPrecision.computeIfAbsent(r.plain() ? r.precisionLabel() : r.precisionLabel() + " " + r.recipe(),
          k -> new ArrayList<>()).add(r);
    }
    List<String> files = new ArrayList<>();
    if (rows.isEmpty()) {
      return files;
    }
    XYChart size = new XYChartBuilder().width(800).height(500).title("Compressed size vs sparsity")
        .xAxisTitle("target sparsity").yAxisTitle(".tflite gzip -9 size (KB)").build();
    XYChart loss = new XYChartBuilder().width(800).height(500).title("Loss vs compressed size")
        .xAxisTitle(".tflite gzip -9 size (KB)").yAxisTitle(rows.get(0).lossName()).build();
    CategoryChart latency = new CategoryChartBuilder().width(800).height(500).title("Latency per precision (1 thread)")
        .xAxisTitle("target sparsity").yAxisTitle("median latency (ms)").build();
    for (Map.Entry<String, List<SweepRow>> e : byPrecision.entrySet()) {
      List<Double> s = e.getValue().stream().map(SweepRow::sparsity).toList();
      List<Double> kb = e.getValue().stream().map(r -> r.gzipBytes() / 1024.0).toList();
      size.addSeries(e.getKey(), s, kb).setMarker(SeriesMarkers.CIRCLE);
      XYSeries l = loss.addSeries(e.getKey(), kb, e.getValue().stream().map(SweepRow::loss).toList());
      l.setMarker(SeriesMarkers.CIRCLE);
      latency.addSeries(e.getKey(), s.stream().map(v -> String.format(Locale.ROOT, "%.2f", v)).toList(),
          e.getValue().stream().map(SweepRow::latencyMs1).toList());
    }
    save(size, out, "size_vs_sparsity.png", files);
    save(loss, out, "loss_vs_size.png", files);
    save(latency, out, "latency.png", files);
    return files;
  }

  private static void save(org.knowm.xchart.internal.chartpart.Chart<?, ?> chart, Path out, String name,
      List<String> files) {
    try {
      AtomicOutput.writeFile(out.resolve(name), BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG));
      files.add(name);
    } catch (IOException e) {
      throw CompressoException.internal("cannot draw plot " + name + ": " + e.getMessage(), e);
    }
  }
}
